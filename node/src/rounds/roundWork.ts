/**
 * Work other than jobs that rounds are run for: the ring's messages (node/src/messages). While it
 * waits, the round's relayer proposes a round even without jobs (its cut covers everything held);
 * one round is in flight at a time, so the next one carries all that arrived meanwhile, and a quiet
 * ring runs none. Once a flushed round's proposal is known here (and rebuilds to the flushed ring
 * head: jobBook.ts keeps no other), its cut is handed over, once per round.
 */
import type { FlushedRoundHead } from "../api/subscriptions.js";
import type { CutHead, ProposalEntry } from "./entries.js";

export interface RoundWork {
  /**
   * Whether something by a current member (`isMember`) waits that no flushed round covers yet (a
   * cut only holds members' heads, so what a former member left can never be covered).
   */
  waiting(isMember: (address: string) => boolean): boolean;
  /** Round `round` was flushed with this cut of member heads (`head`: the round as SubscribeHeads tells it). */
  flushed(round: number, cut: readonly CutHead[], head?: FlushedRoundHead): void;
  /** Calls `listener` when new work comes in (so the rounds look at once, not at the next tick); returns how to stop. */
  onWork?(listener: () => void): () => void;
}

/** What subscribers of heads hear of a flushed round (its proposal rebuilt to the flushed head: jobBook.ts keeps no other). */
export function flushedHead(round: number, proposal: ProposalEntry, flushed?: { tx: string | null; block: number | null }): FlushedRoundHead {
  const cut = proposal.cut.map((head) => ({ author: head.author, seq: head.seq, cid: head.cid.toString() }));
  return { round, ringNodeHead: proposal.ringNodeHead, prevHead: proposal.prevHead, cut, tx: flushed?.tx ?? null, block: flushed?.block ?? null };
}
