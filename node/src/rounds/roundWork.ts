/**
 * Work other than jobs that rounds are run for: the ring's messages (node/src/messages). While it
 * waits, the round's relayer proposes a round even without jobs (its cut covers everything held);
 * one round is in flight at a time, so the next one carries all that arrived meanwhile, and a quiet
 * ring runs none. Once a flushed round's proposal is known here, its cut is handed over, once per round.
 */
import type { Logger } from "pino";
import type { FlushedRoundHead } from "../api/subscriptions.js";
import type { CutHead, ProposalEntry } from "./entries.js";
import { outputsOf, ringNodeOf } from "./roundContent.js";

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

/**
 * Hands each flushed round's cut to `work`, once the proposal is checked to be what the flushed ring
 * head commits (its ring log node, rebuilt from the proposal, has that head): a proposal that claims
 * a flushed head it does not match is not believed (its messages stay tentative here).
 */
export function flushedCuts(work: RoundWork | undefined, ring: string, logger: Pick<Logger, "warn">): (round: number, proposal: ProposalEntry, flushed?: { tx: string | null; block: number | null }) => void {
  return (round, proposal, flushed) => {
    if (work === undefined) return;
    void (async () => {
      const node = await ringNodeOf(ring, round, proposal.prevHead, proposal.cut, outputsOf(proposal.gate, proposal.jobs));
      if (node.head.toLowerCase() === proposal.ringNodeHead.toLowerCase()) {
        const cut = proposal.cut.map((head) => ({ author: head.author, seq: head.seq, cid: head.cid.toString() }));
        work.flushed(round, proposal.cut, { round, ringNodeHead: proposal.ringNodeHead, prevHead: proposal.prevHead, cut, tx: flushed?.tx ?? null, block: flushed?.block ?? null });
      }
      else logger.warn({ round, claimed: proposal.ringNodeHead, rebuilt: node.head }, "a flushed round's proposal does not match its ring head: its cut is ignored");
    })().catch((error: unknown) => logger.warn({ err: error, round }, "could not hand over a flushed round's cut"));
  };
}
