/**
 * Work other than jobs that rounds are run for: the ring's messages (node/src/messages). While it
 * waits, the round's relayer proposes a round even without jobs (its cut covers everything held);
 * one round is in flight at a time, so the next one carries all that arrived meanwhile, and a quiet
 * ring runs none. Once a flushed round's proposal is known here, its cut is handed over, once per round.
 */
import type { CutHead } from "./entries.js";

export interface RoundWork {
  /** Whether something waits that no flushed round covers yet. */
  waiting(): boolean;
  /** Round `round` was flushed with this cut of member heads. */
  flushed(round: number, cut: readonly CutHead[]): void;
}
