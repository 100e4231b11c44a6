/**
 * A bounded queue read as an async iterator: `push` until `end`; the reader waits for the next item.
 * `push` answers false (and keeps nothing) once `max` items wait unread.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;

  constructor(private readonly max: number) {}

  push(item: T): boolean {
    if (this.ended || this.items.length >= this.max) return false;
    this.items.push(item);
    this.wake();
    return true;
  }

  /** No more items: the reader gets the ones waiting, then the iteration ends. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}
