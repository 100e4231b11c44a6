/**
 * Which jobs are finalised: a job is final once a round whose proposal carries it was flushed on
 * chain. Flushed ring heads come only from the chain: its Flushed events, and this node's own mined
 * flush; after a restart (or a proposal learnt late) the chain's ring log, and the previous heads
 * that flushed (head-checked) proposals commit, tell which logged proposals were flushed. A
 * relayer's `flushed` notice only makes the members read the chain sooner.
 * Once a round is settled here (its jobs final, its cut handed over), its proposal and flushed head
 * are dropped, so the work per tick and the memory stay flat over a long run.
 */
import { CID } from "multiformats/cid";
import type { Logger } from "pino";
import { rememberEntry, rememberKey } from "../core/bounded.js";
import type { RingChainView } from "../chain/ringChainView.js";
import type { ProposalEntry } from "./entries.js";
import type { FinalisedJob } from "./jobArchive.js";
import { DEFAULT_KEEP_FINALISED, type JobBook } from "./jobBook.js";
import type { RoundsTrace } from "./roundsTrace.js";

export type { FinalisedJob } from "./jobArchive.js";

export interface FinalisationComponents {
  chain: Pick<RingChainView, "round" | "ringNodeHead">;
}

export interface FinalisationOptions {
  book: Pick<JobBook, "proposal" | "allProposals" | "forgetProposal">;
  /** The ring head the chain holds for `round` (Ring.ringLog). */
  ringLog: (round: number) => Promise<string>;
  /** Called once per job when it becomes final here. */
  onFinalised: (jobId: string) => void;
  /** Called once per round whose flushed proposal is known here. */
  onRound?: (round: number, proposal: ProposalEntry, flushed: { tx: string | null; block: number | null }) => void;
  logger: Logger;
  trace: RoundsTrace;
  /** How many finalised jobs are remembered here (the latest; the job book's archive has the rest). */
  keepFinalised?: number | undefined;
}

export class Finalisation {
  private readonly finalised = new Map<string, FinalisedJob>();
  /** round -> flushed ring head (from chain events and ringLog reads). */
  private readonly flushedHeads = new Map<number, { head: string; tx: string | null; block?: number }>();
  /** Proposals already compared with the chain's ring log. */
  private readonly checkedProposals = new Set<string>();
  /** Latest rounds settled here: jobs finalised and the cut handed to `onRound` (their flushed head and proposal are dropped). */
  private readonly reportedRounds = new Set<number>();
  /** Ring heads already walked back from (walkBack; the latest REMEMBERED). */
  private readonly walked = new Set<string>();
  /** Settled rounds' ring head -> previous head (the latest REMEMBERED), so walkBack passes them. */
  private readonly settledLinks = new Map<string, { round: number; prevHead: string }>();

  constructor(
    private readonly components: FinalisationComponents,
    private readonly options: FinalisationOptions,
  ) {}

  isFinalised(jobId: string): boolean {
    return this.finalised.has(jobId);
  }

  finalisedJob(jobId: string): FinalisedJob | undefined {
    return this.finalised.get(jobId);
  }

  /** The chain's Flushed event (keeps the relayer's transaction hash when it named the same head). */
  onFlushedEvent(round: number, head: string, transactionHash: string, block?: number): void {
    if (this.reportedRounds.has(round)) return;
    const known = this.flushedHeads.get(round);
    this.flushedHeads.set(round, { head, tx: known?.head === head ? (known.tx ?? transactionHash) : transactionHash, ...(block === undefined ? {} : { block }) });
  }

  /** This node flushed `round` itself. */
  onFlushedHere(round: number, head: string, tx: string): void {
    if (!this.reportedRounds.has(round)) this.flushedHeads.set(round, { head, tx });
  }

  /** Marks the jobs of every flushed round whose proposal this node knows as finalised. */
  apply(): void {
    for (const [round, flushed] of this.flushedHeads) {
      const proposal = this.options.book.proposal(flushed.head);
      if (proposal === undefined || proposal.entry.round !== round) continue;
      rememberKey(this.reportedRounds, round, REMEMBERED);
      this.options.onRound?.(round, proposal.entry, { tx: flushed.tx, block: flushed.block ?? null });
      for (const job of proposal.entry.jobs) {
        const id = job.job.toString();
        if (this.finalised.has(id)) continue;
        // A copy of the CID: the decoded one is a view into the whole proposal block's bytes.
        rememberEntry(this.finalised, id, { round, ringNodeHead: flushed.head, output: CID.decode(job.output.bytes.slice()), tx: flushed.tx }, this.options.keepFinalised ?? DEFAULT_KEEP_FINALISED);
        this.options.trace("finalised", { job: id, round });
        this.options.onFinalised(id);
      }
      this.settle(round, flushed.head, proposal.entry.prevHead);
    }
  }

  /** Drops what a settled round no longer needs here: its flushed head, its proposal and its rivals. */
  private settle(round: number, head: string, prevHead: string): void {
    this.flushedHeads.delete(round);
    const { book } = this.options;
    for (const other of [...book.allProposals()]) if (other.entry.round === round) book.forgetProposal(other.entry.ringNodeHead);
    book.forgetProposal(head);
    rememberEntry(this.settledLinks, head.toLowerCase(), { round, prevHead }, REMEMBERED);
  }

  /**
   * Which proposals in the logs were flushed (after a restart, or learnt late): back from the chain's
   * ring head through each flushed proposal's previous head, then the chain's ring log (it keeps
   * the recent ring heads) for the proposals that walk did not reach.
   */
  async recover(): Promise<void> {
    this.walkBack();
    const last = Number(this.components.chain.round());
    for (const proposal of this.options.book.allProposals()) {
      const round = proposal.entry.round;
      const key = proposal.entry.ringNodeHead.toLowerCase();
      if (round > last || this.reportedRounds.has(round) || this.flushedHeads.has(round) || this.checkedProposals.has(key)) continue;
      rememberKey(this.checkedProposals, key, REMEMBERED);
      try {
        const head = await this.options.ringLog(round);
        if (head.toLowerCase() === proposal.entry.ringNodeHead.toLowerCase()) this.flushedHeads.set(round, { head, tx: null });
      } catch (error) {
        this.options.logger.debug({ err: error, round }, "could not read the ring log");
      }
    }
    this.apply();
  }

  /** Follows the ring log back from the chain's head as far as the proposals held here go. */
  private walkBack(): void {
    let round = Number(this.components.chain.round());
    let head = this.components.chain.ringNodeHead().toLowerCase();
    const path: string[] = [];
    while (round > 0 && !this.walked.has(head)) {
      const settled = this.settledLinks.get(head);
      if (settled !== undefined && settled.round === round) {
        path.push(head);
        head = settled.prevHead.toLowerCase();
        round--;
        continue;
      }
      const proposal = this.options.book.proposal(head);
      // A proposal not held yet: walk again next time (the heads above it are not marked as walked).
      if (proposal === undefined || proposal.entry.round !== round) return;
      path.push(head);
      if (!this.flushedHeads.has(round) && !this.reportedRounds.has(round)) this.flushedHeads.set(round, { head: proposal.entry.ringNodeHead, tx: null });
      head = proposal.entry.prevHead.toLowerCase();
      round--;
    }
    for (const walked of path) rememberKey(this.walked, walked, REMEMBERED);
  }
}

/** How many walked heads, settled links, reported rounds and checked proposals are remembered (older ones are read again from chain if ever needed). */
const REMEMBERED = 1_024;
