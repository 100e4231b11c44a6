/**
 * The rounds' view of the ring's logs: every job, shard result and proposal any member wrote, in
 * the order this node holds them, each payload opened with the ring's read keys. Built by scanning
 * each author's log forward from where the last scan stopped (logs only grow), so a restarted node
 * rebuilds it from disk. Memory stays bounded over a long run: a finalised job's shard results are dropped at once
 * (release), and with an archive (jobArchive.ts) only the latest `keepFinalised` finalised jobs
 * stay in memory; older ones are answered from the archive (findJob) and not indexed again.
 */
import type { CID } from "multiformats/cid";
import { rememberEntry, rememberKey } from "../core/bounded.js";
import type { LogStore } from "../log/store.js";
import { plaintextReader, type PayloadReader } from "../replica/sealedLog.js";
import { asRoundsEntry, type JobEntry, type ProposalEntry, type ShardEntry } from "./entries.js";
import type { FinalisedJob, JobArchive } from "./jobArchive.js";

export interface KnownJob {
  id: string;
  entry: JobEntry;
  submitter: string;
  /** Where the job entry sits: author's log at `seq`. */
  seq: number;
  /** Finalised and compacted (release): its shard results are no longer held. */
  released?: boolean;
  /** The round that finalised it (once released). */
  finalised?: FinalisedJob;
  /** Its archive record is written (it may leave memory). */
  archived?: boolean;
  /** When this node first saw the job (ms, local clock; only for timeouts). */
  seenAt: number;
}

/** A member's shard result at its log's `seq`; a proposal at its proposer's log's `seq`. */
export type KnownShardResult = { member: string; seq: number; entry: ShardEntry };
export type KnownProposal = { proposer: string; seq: number; entry: ProposalEntry };

/** How many settled rounds' heads are remembered (a proposal arrives again at most a few rounds late). */
const SETTLED_KEPT = 1_024;

/** Finalised jobs kept in memory by default (config `rounds.keepFinalisedJobs`). */
export const DEFAULT_KEEP_FINALISED = 1_024;

export interface JobBookOptions {
  /** Finalised jobs on disk: without it every job stays in memory. */
  archive?: JobArchive;
  /** How many finalised jobs stay in memory (the latest; older ones are read from the archive). */
  keepFinalised?: number | undefined;
}

export class JobBook {
  private readonly scanned = new Map<string, number>();
  /** Jobs held in memory (open, and the latest finalised), in the order this node first saw them. */
  private readonly jobs = new Map<string, KnownJob>();
  /** Jobs not finalised yet, in the same order. */
  private readonly open = new Map<string, KnownJob>();
  /** Released jobs held in memory, oldest first: the ones beyond keepFinalised leave once archived. */
  private readonly releasedHeld = new Set<string>();
  /** Jobs finalised before their entry was read here (the entry is in a log not replicated yet). */
  private readonly finalisedEarly = new Map<string, FinalisedJob>();
  /** job id -> shard -> member -> its first result. */
  private readonly results = new Map<string, Map<number, Map<string, KnownShardResult>>>();
  /** ring node head -> proposal. */
  private readonly proposals = new Map<string, KnownProposal>();
  /** job id -> how many held proposals carry it. */
  private readonly proposedJobs = new Map<string, number>();
  /** Heads of the latest settled rounds (forgetProposal), so their proposals are not taken in again. */
  private readonly settled = new Set<string>();
  private scanning: Promise<boolean> | null = null;
  private rescan = false;
  /** Logged proposals refused because they do not rebuild to the ring head they claim. */
  private mismatched = 0;

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
    private readonly options: JobBookOptions = {},
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

  /** A job held in memory: every open job and the latest finalised ones (findJob reads the archive too). */
  job(id: string): KnownJob | undefined {
    return this.jobs.get(id);
  }

  /** Any job this node knows: held in memory, or finalised long ago and read from the archive. */
  async findJob(id: string): Promise<KnownJob | undefined> {
    const held = this.jobs.get(id);
    if (held !== undefined || this.options.archive === undefined) return held;
    const archived = await this.options.archive.get(id);
    return archived === null ? undefined : { ...archived, released: true, archived: true, seenAt: 0 };
  }

  /** Every job held in memory (open, and the latest finalised), in the order this node first saw them. */
  allJobs(): KnownJob[] {
    return [...this.jobs.values()];
  }

  /** Jobs not finalised yet, in the order this node first saw them. */
  openJobs(): KnownJob[] {
    return [...this.open.values()];
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
   * Compacts a finalised job: its shard results (the bulk of what a job costs in memory) are
   * dropped and late ones not indexed. The job entry stays (GetJob, the submit dedupe): in memory
   * among the latest `keepFinalised`, then in the archive with `finalised`.
   */
  release(jobId: string, finalised?: FinalisedJob): void {
    this.results.delete(jobId);
    const job = this.jobs.get(jobId);
    if (job === undefined && finalised !== undefined) rememberEntry(this.finalisedEarly, jobId, finalised, SETTLED_KEPT);
    if (job === undefined || job.released === true) return;
    job.released = true;
    if (finalised !== undefined) job.finalised = finalised;
    this.hold(job);
  }

  /** Keeps a released job among the latest in memory, archives it and lets the oldest go. */
  private hold(job: KnownJob): void {
    this.open.delete(job.id);
    const { archive } = this.options;
    if (archive === undefined || job.finalised === undefined) return;
    this.releasedHeld.add(job.id);
    archive.put({ id: job.id, entry: job.entry, submitter: job.submitter, seq: job.seq, finalised: job.finalised }).then(
      () => {
        job.archived = true;
        this.evict();
      },
      // Not written (the archive logs why): the job stays in memory.
      () => this.releasedHeld.delete(job.id),
    );
  }

  private evict(): void {
    const keep = this.options.keepFinalised ?? DEFAULT_KEEP_FINALISED;
    for (const id of this.releasedHeld) {
      if (this.releasedHeld.size <= keep || this.jobs.get(id)?.archived !== true) return;
      this.releasedHeld.delete(id);
      this.jobs.delete(id);
    }
  }

  /** Drops a proposal whose round is settled here (its jobs finalised, its cut handed over). */
  forgetProposal(ringNodeHead: string): void {
    const key = ringNodeHead.toLowerCase();
    const known = this.proposals.get(key);
    if (known === undefined) return;
    this.proposals.delete(key);
    rememberKey(this.settled, key, SETTLED_KEPT);
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
        // Finalised long ago (or again, in another member's log): answered from the archive.
        if (this.jobs.has(id) || (await this.archived(id))) return false;
        const job: KnownJob = { id, entry, submitter: author, seq, seenAt: Date.now() };
        this.jobs.set(id, job);
        const early = this.finalisedEarly.get(id);
        if (early === undefined) {
          this.open.set(id, job);
        } else {
          this.finalisedEarly.delete(id);
          Object.assign(job, { released: true, finalised: early });
          this.hold(job);
        }
        return true;
      }
      case "shard": {
        const id = entry.job.toString();
        const known = this.jobs.get(id);
        if (known?.released === true) return false;
        if (known === undefined && (this.finalisedEarly.has(id) || (await this.archived(id)))) return false;
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

  private async archived(id: string): Promise<boolean> {
    return this.options.archive !== undefined && (await this.options.archive.has(id));
  }
}

export function cidKey(cid: CID): string {
  return cid.toString();
}
