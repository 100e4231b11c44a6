/**
 * Jobs queued on chain (contracts/JobQueue.sol) into this member's log: each poll reads the ring's
 * `JobQueued` events since the last scanned block (from the deployment's or a configured start
 * block on, LOG_RANGE blocks per request, so a member that starts later catches up), then takes
 * the jobs in sequence order. A job already in any member's log (the book) is done; otherwise its
 * spec block is fetched (bounded), checked and appended as a job entry. Order is kept: a later job
 * waits until every earlier one is done or given up. A spec that cannot be fetched after
 * `maxAttempts` polls, or is not a job spec, is recorded as failed with its reason and skipped, not
 * retried forever. Several members may append the same job; the book and the rounds key jobs by
 * spec CID, so it is computed and finalised once.
 */
import type { CID } from "multiformats/cid";
import type { QueuedJob } from "../chain/jobQueue.js";
import { bytes32ToCid } from "../core/cid.js";
import { rememberEntry } from "../core/bounded.js";
import type { JobEntry } from "./entries.js";
import { JOB_ENTRY } from "./entries.js";
import type { JobBook } from "./jobBook.js";

/** Blocks read per poll at most (a member far behind catches up over several polls). */
export const SCAN_BLOCKS = 20_000;

export interface QueueIntakeComponents {
  queue: { queuedJobs(ring: string, fromBlock: number, toBlock: number, options?: { signal?: AbortSignal }): Promise<QueuedJob[]> };
  latestBlock(signal?: AbortSignal): Promise<number>;
  book: Pick<JobBook, "scan" | "findJob">;
  /** The spec block's bytes; rejects when it cannot be fetched within its own bound. */
  fetchSpec(cid: CID, signal?: AbortSignal): Promise<Uint8Array>;
  /** Throws when the bytes are not a job spec this ring can run. */
  checkSpec(bytes: Uint8Array): void;
  append(entry: JobEntry): Promise<unknown>;
}

export interface QueueIntakeOptions {
  ring: string;
  fromBlock: number;
  /** Polls a job's spec may fail to fetch before it is given up. */
  maxAttempts?: number;
  /** Bound on events held ahead of the next sequence (a flood of queued jobs). */
  maxPending?: number;
}

/** A queued job as this member's intake sees it. */
export interface IntakeStatus {
  queued: QueuedJob;
  state: "waiting" | "in-log" | "failed";
  /** The job id (spec CID), when the digest names one. */
  job?: string;
  reason?: string;
  attempts: number;
}

export class QueueIntake {
  private nextBlock: number;
  private nextSequence = 1;
  private readonly pending = new Map<number, IntakeStatus>();
  private readonly settled = new Map<string, IntakeStatus>();
  private readonly maxAttempts: number;
  private readonly maxPending: number;

  constructor(
    private readonly components: QueueIntakeComponents,
    private readonly options: QueueIntakeOptions,
  ) {
    this.nextBlock = options.fromBlock;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.maxPending = options.maxPending ?? 1_024;
  }

  /** The intake's view of a job id (spec CID), for GetJob and the dashboard. */
  status(job: string): IntakeStatus | undefined {
    return this.settled.get(job) ?? [...this.pending.values()].find((entry) => entry.job === job);
  }

  /** Jobs queued on chain not yet in a log (waiting), in sequence order. */
  waiting(): IntakeStatus[] {
    return [...this.pending.values()].sort((a, b) => a.queued.sequence - b.queued.sequence);
  }

  /** One poll: reads new events, then takes jobs in order; resolves with how many were settled. */
  async poll(signal?: AbortSignal): Promise<number> {
    const latest = await this.components.latestBlock(signal);
    if (latest >= this.nextBlock && this.pending.size < this.maxPending) {
      const to = Math.min(latest, this.nextBlock + SCAN_BLOCKS - 1);
      for (const queued of await this.components.queue.queuedJobs(this.options.ring, this.nextBlock, to, { signal })) {
        if (queued.sequence < this.nextSequence || this.pending.has(queued.sequence)) continue;
        if (this.pending.size >= this.maxPending) break;
        this.pending.set(queued.sequence, { queued, attempts: 0, ...jobId(queued.specDigest) });
      }
      this.nextBlock = to + 1;
    }
    let settled = 0;
    await this.components.book.scan();
    for (let entry = this.pending.get(this.nextSequence); entry !== undefined; entry = this.pending.get(this.nextSequence)) {
      if (!(await this.take(entry, signal))) break;
      this.pending.delete(this.nextSequence);
      // The latest settled are remembered (GetJob of a job in a log is answered from the book).
      if (entry.job !== undefined) rememberEntry(this.settled, entry.job, entry, this.maxPending);
      this.nextSequence++;
      settled++;
    }
    return settled;
  }

  /** True once the job is in a log or given up. */
  private async take(entry: IntakeStatus, signal?: AbortSignal): Promise<boolean> {
    if (entry.state === "failed") return true;
    const cid = entry.job === undefined ? null : bytes32ToCid(entry.queued.specDigest);
    if (cid === null) return true;
    if ((await this.components.book.findJob(cid.toString())) !== undefined) {
      entry.state = "in-log";
      return true;
    }
    entry.attempts++;
    let spec: Uint8Array;
    try {
      spec = await this.components.fetchSpec(cid, signal);
    } catch (error) {
      if (entry.attempts < this.maxAttempts) return false;
      return this.fail(entry, `spec block ${cid.toString()} could not be fetched in ${entry.attempts} attempts: ${(error as Error).message}`);
    }
    try {
      this.components.checkSpec(spec);
    } catch (error) {
      return this.fail(entry, `spec block ${cid.toString()} is not a job this ring can run: ${(error as Error).message}`);
    }
    await this.components.append({ type: JOB_ENTRY, job: cid, spec, pin: 0 });
    entry.state = "in-log";
    return true;
  }

  private fail(entry: IntakeStatus, reason: string): true {
    entry.state = "failed";
    entry.reason = reason;
    return true;
  }
}

function jobId(specDigest: string): Pick<IntakeStatus, "job" | "state" | "reason"> {
  const cid = bytes32ToCid(specDigest);
  return cid === null ? { state: "failed", reason: "the spec digest is zero" } : { state: "waiting", job: cid.toString() };
}
