/**
 * The recent rounds' timings at this node, taken from the rounds trace's steps whether or not the
 * trace is logged: when this node started proposing a round, when its flush was mined, when it heard
 * of another relayer's flush. Bounded to the last `limit` rounds; the node's status shows them.
 */
import type { RoundTimingStatus } from "../api/results.js";

export const ROUND_TIMINGS_KEPT = 100;

export class RoundTimings {
  private readonly rounds = new Map<number, RoundTimingStatus>();

  constructor(
    private readonly limit = ROUND_TIMINGS_KEPT,
    private readonly now: () => number = Date.now,
  ) {}

  /** A rounds-trace step (roundsTrace.ts): the ones naming a round's proposal or flush are kept. */
  readonly observe = (step: string, fields: Record<string, unknown>): void => {
    const round = fields.round;
    if (typeof round !== "number" || !Number.isSafeInteger(round)) return;
    if (step === "propose start") this.note(round, "proposedAt", false);
    else if (step === "flush mined") this.note(round, "flushedAt", true);
    else if (step === "flushed notice") this.note(round, "heardAt", false);
  };

  /** The kept rounds, oldest first. */
  recent(): RoundTimingStatus[] {
    return [...this.rounds.values()].sort((a, b) => a.round - b.round).map((timing) => ({ ...timing }));
  }

  /** Sets `field` of `round` once (the first proposal attempt counts), or every time when `overwrite`. */
  private note(round: number, field: "proposedAt" | "flushedAt" | "heardAt", overwrite: boolean): void {
    let timing = this.rounds.get(round);
    if (timing === undefined) {
      timing = { round, proposedAt: null, flushedAt: null, heardAt: null };
      this.rounds.set(round, timing);
      this.prune();
    }
    if (overwrite || timing[field] === null) timing[field] = this.now();
  }

  private prune(): void {
    if (this.rounds.size <= this.limit) return;
    const oldest = [...this.rounds.keys()].sort((a, b) => a - b).slice(0, this.rounds.size - this.limit);
    for (const round of oldest) this.rounds.delete(round);
  }
}
