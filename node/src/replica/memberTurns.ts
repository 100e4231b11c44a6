/**
 * One member's log in a replica index is moved by one piece of work at a time: the follower's pass
 * and an announcement of the same member take turns (in the order they came), so two catch-ups of
 * one log never race over the same range. Different members' turns run side by side.
 */
export class MemberTurns {
  /** Key -> the settled end of its last turn. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` after the turns of `key` before it; resolves or rejects as `work` does. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Members with a turn running or waiting (a bound on the work queued: one entry per member). */
  get busy(): number {
    return this.tails.size;
  }
}
