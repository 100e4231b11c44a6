/**
 * The rounds' view of the ring's logs: every job, shard result and proposal any member wrote, in
 * the order this node holds them, each payload opened with the ring's read keys. Built by scanning each author's log forward from where the last
 * scan stopped (logs only grow), so a restarted node rebuilds it from disk.
 */
import type { CID } from "multiformats/cid";
import type { LogStore } from "../log/store.js";
import { plaintextReader, type PayloadReader } from "../replica/sealedLog.js";
import { asRoundsEntry, type JobEntry, type ProposalEntry, type ShardEntry } from "./entries.js";

export interface KnownJob {
  id: string;
  entry: JobEntry;
  submitter: string;
  /** Where the job entry sits: author's log at `seq`. */
  seq: number;
  /** Finalised and compacted (release): its shard results are no longer held. */
  released?: boolean;
  /** When this node first saw the job (ms, local clock; only for timeouts). */
  seenAt: number;
}

export interface KnownShardResult {
  member: string;
  seq: number;
  entry: ShardEntry;
}

export interface KnownProposal {
  proposer: string;
  seq: number;
  entry: ProposalEntry;
}

/** How many settled rounds' heads are remembered (a proposal arrives again at most a few rounds late). */
const SETTLED_KEPT = 1_024;

export class JobBook {
  private readonly scanned = new Map<string, number>();
  private readonly jobList: KnownJob[] = [];
  private readonly jobs = new Map<string, KnownJob>();
  /** job id -> shard -> member -> its first result. */
  private readonly results = new Map<string, Map<number, Map<string, KnownShardResult>>>();
  /** ring node head -> proposal. */
  private readonly proposals = new Map<string, KnownProposal>();
  /** job id -> how many held proposals carry it. */
  private readonly proposedJobs = new Map<string, number>();
  /** Heads of the latest settled rounds (forgetProposal), so their proposals are not taken in again. */
  private readonly settled = new Set<string>();
  private scanning: Promise<boolean> | null = null;
  /** Logged proposals refused because they do not rebuild to the ring head they claim. */
  private mismatched = 0;
  private rescan = false;

  /**
   * @param matchesHead whether a logged proposal is what the ring head it claims commits
   *   (roundContent.ts `proposalMatchesHead`): only such proposals are kept, so a proposal found
   *   under a flushed head tells truly which cut and which job outputs that round agreed on.
   */
  constructor(
    private readonly store: Pick<LogStore, "authors" | "length" | "nodeAt">,
    private readonly matchesHead: (proposal: ProposalEntry) => Promise<boolean>,
    /** The one decode point of replicated payloads: the ring's read keys (plaintext without them). */
    private readonly reader: PayloadReader = plaintextReader,
  ) {}

  /** Reads what was appended since the last scan; resolves true when anything new was found. */
  async scan(): Promise<boolean> {
    if (this.scanning !== null) {
      this.rescan = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      let found = false;
      do {
        this.rescan = false;
        for (const author of this.store.authors()) {
          const length = this.store.length(author);
          for (let seq = this.scanned.get(author) ?? 0; seq < length; seq++) {
            const node = await this.store.nodeAt(author, seq);
            if (node === null) break;
            const opened = this.reader.open(author, node.node.payload);
            // Sealed with a key this node may still receive: read on from here once it has it.
            if (!opened.readable && opened.later) break;
            this.scanned.set(author, seq + 1);
            if (opened.readable && (await this.index(author, seq, opened.payload))) found = true;
          }
        }
      } while (this.rescan);
      return found;
    })().finally(() => (this.scanning = null));
    return this.scanning;
  }

  job(id: string): KnownJob | undefined {
    return this.jobs.get(id);
  }

  /** Every job, in the order this node first saw them. */
  allJobs(): readonly KnownJob[] {
    return this.jobList;
  }

  /** Results of one shard, by member. */
  shardResults(job: string, shard: number): Map<string, KnownShardResult> {
    return this.results.get(job)?.get(shard) ?? new Map<string, KnownShardResult>();
  }

  /** Results of one shard written at or before each author's cut seq. */
  shardResultsWithin(job: string, shard: number, cut: ReadonlyMap<string, number>): KnownShardResult[] {
    return [...this.shardResults(job, shard).values()].filter((result) => result.seq <= (cut.get(result.member) ?? -1));
  }

  proposal(ringNodeHead: string): KnownProposal | undefined {
    return this.proposals.get(ringNodeHead.toLowerCase());
  }

  /** How many logged proposals were refused for not matching the ring head they claim. */
  mismatchedProposals(): number {
    return this.mismatched;
  }

  allProposals(): IterableIterator<KnownProposal> {
    return this.proposals.values();
  }

  /** Whether a proposal held here carries the job. */
  isProposed(jobId: string): boolean {
    return this.proposedJobs.has(jobId);
  }

  /**
   * Compacts a finalised job: its shard results (CIDs and result bytes of every member, the bulk
   * of what a job costs in memory) are dropped, and late results for it are not indexed. The job
   * entry stays (GetJob, the submit dedupe).
   */
  release(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (job !== undefined) job.released = true;
    this.results.delete(jobId);
  }

  /** Drops a proposal whose round is settled here (its jobs finalised, its cut handed over). */
  forgetProposal(ringNodeHead: string): void {
    const key = ringNodeHead.toLowerCase();
    const known = this.proposals.get(key);
    if (known === undefined) return;
    this.proposals.delete(key);
    this.settled.add(key);
    if (this.settled.size > SETTLED_KEPT) this.settled.delete(this.settled.values().next().value as string);
    this.dropCounts(known);
  }

  private dropCounts(proposal: KnownProposal | undefined): void {
    for (const job of proposal?.entry.jobs ?? []) {
      const id = job.job.toString();
      const count = (this.proposedJobs.get(id) ?? 1) - 1;
      if (count <= 0) this.proposedJobs.delete(id);
      else this.proposedJobs.set(id, count);
    }
  }

  /**
   * Records a proposal this node checked itself (it built it, or rebuilt its ring log node to vote
   * for it), before it reaches this node through the proposer's log.
   */
  noteProposal(proposer: string, entry: ProposalEntry): void {
    const key = entry.ringNodeHead.toLowerCase();
    if (!this.proposals.has(key) && !this.settled.has(key)) this.keepProposal(key, { proposer, seq: Number.MAX_SAFE_INTEGER, entry });
  }

  private keepProposal(key: string, proposal: KnownProposal): void {
    this.dropCounts(this.proposals.get(key));
    this.proposals.set(key, proposal);
    for (const job of proposal.entry.jobs) {
      const id = job.job.toString();
      this.proposedJobs.set(id, (this.proposedJobs.get(id) ?? 0) + 1);
    }
  }

  private async index(author: string, seq: number, payload: unknown): Promise<boolean> {
    const entry = asRoundsEntry(payload);
    if (entry === null) return false;
    switch (entry.type) {
      case "job": {
        const id = entry.job.toString();
        if (this.jobs.has(id)) return false;
        const job = { id, entry, submitter: author, seq, seenAt: Date.now() };
        this.jobs.set(id, job);
        this.jobList.push(job);
        return true;
      }
      case "shard": {
        const id = entry.job.toString();
        if (this.jobs.get(id)?.released === true) return false;
        let byShard = this.results.get(id);
        if (byShard === undefined) this.results.set(id, (byShard = new Map<number, Map<string, KnownShardResult>>()));
        let byMember = byShard.get(entry.shard);
        if (byMember === undefined) byShard.set(entry.shard, (byMember = new Map<string, KnownShardResult>()));
        if (byMember.has(author)) return false;
        byMember.set(author, { member: author, seq, entry });
        return true;
      }
      case "proposal": {
        const key = entry.ringNodeHead.toLowerCase();
        const known = this.proposals.get(key);
        if ((known !== undefined && known.seq <= seq) || this.settled.has(key)) return false;
        if (!(await this.matchesHead(entry))) {
          this.mismatched++;
          return false;
        }
        this.keepProposal(key, { proposer: author, seq, entry });
        return true;
      }
    }
  }
}

export function cidKey(cid: CID): string {
  return cid.toString();
}
