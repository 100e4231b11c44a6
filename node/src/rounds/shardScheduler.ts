/**
 * Which shards this member computes, and computing them: every open job's shards the plan assigns
 * this member (one more member joins a shard after each shard timeout without a majority and
 * without word from a member working on it), queued and run one at a time, each result appended to
 * the own log. While it works, the member tells the others which shards it has (the heartbeat), so
 * they do not time the shards out.
 *
 * Bounds: a shard whose computation gives no answer (a timeout, a block not fetched) is retried
 * after a shard timeout, at most `maxShardAttempts` times in all; then this member gives up on it
 * (logged, and no longer announced as worked on, so the others time it out and take it over). The
 * queue serves jobs in turn (the job served least recently goes first), so a job with many slow
 * shards delays another job's next shard by at most one call, never by all of its own shards.
 */
import type { Libp2p } from "@libp2p/interface";
import type { CID } from "multiformats/cid";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import type { RingIdentity } from "../identity/identity.js";
import type { OwnLog } from "../log/ownLog.js";
import { rememberEntry } from "../core/bounded.js";
import { SHARD_ENTRY } from "./entries.js";
import type { JobBook, KnownJob } from "./jobBook.js";
import type { JobCompute } from "./jobCompute.js";
import { memberPeers } from "./memberPeers.js";
import { askPeer, type RoundsRequest } from "./roundsProtocol.js";
import type { RoundsTrace } from "./roundsTrace.js";

export interface ShardSchedulerComponents {
  chain: Pick<RingChainView, "ring" | "members" | "isMember">;
  ownLog: Pick<OwnLog, "append">;
  streams: Pick<Libp2p, "dialProtocol" | "getConnections">;
  signer: Pick<RingIdentity, "address">;
}

export interface ShardSchedulerOptions {
  book: Pick<JobBook, "job" | "shardResults">;
  compute: Pick<JobCompute, "shape" | "map" | "majority" | "assignees">;
  /** After this long without a majority, a shard gets one more member. */
  shardTimeoutMs: number;
  isFinalised: (jobId: string) => boolean;
  /** A shard result of `jobId` was appended here. */
  onComputed: (jobId: string) => void;
  /** Calls of one shard that give no answer before this member gives up on it. Default DEFAULT_MAX_SHARD_ATTEMPTS. */
  maxShardAttempts?: number;
  /** Asks the engine for another tick. */
  kick: () => void;
  signal: AbortSignal;
  logger: Logger;
  trace: RoundsTrace;
}

/** Default retry budget of a shard: three non-answers (at most three sandbox timeouts of a member's single worker). */
export const DEFAULT_MAX_SHARD_ATTEMPTS = 3;

export class ShardScheduler {
  private readonly computing = new Set<string>();
  /** "job/shard" -> when a member last said it is working on it (queued or running). */
  private readonly progress = new Map<string, number>();
  private lastHeartbeat = 0;
  private readonly queue: Array<{ job: KnownJob; shard: number }> = [];
  /** "job/shard" -> calls of it that gave no answer. */
  private readonly failures = new Map<string, number>();
  /** Job id -> when (a serial) its last shard was taken off the queue. */
  private readonly served = new Map<string, number>();
  private serial = 0;
  private busy = false;

  constructor(
    private readonly components: ShardSchedulerComponents,
    private readonly options: ShardSchedulerOptions,
  ) {}

  private get self(): string {
    return this.components.signer.address;
  }

  /** Queues the shards of `jobs` this member is assigned now, and starts computing. */
  schedule(jobs: readonly KnownJob[]): void {
    const { book, compute, shardTimeoutMs } = this.options;
    const members = this.components.chain.members();
    const now = Date.now();
    for (const job of jobs) {
      let shape;
      try {
        shape = compute.shape(job.entry.spec);
      } catch {
        continue;
      }
      for (let shard = 0; shard < shape.shards; shard++) {
        const key = `${job.id}/${shard}`;
        // A shard times out only after `shardTimeoutMs` without a result and without word from a member working on it.
        const attempts = Math.floor((now - Math.max(job.seenAt, this.progress.get(key) ?? 0)) / shardTimeoutMs);
        const results = book.shardResults(job.id, shard);
        if (this.computing.has(key) || results.has(this.self) || this.gaveUp(key)) continue;
        const votes = [...results.values()].filter((r) => this.components.chain.isMember(r.member)).map((r) => ({ member: r.member, result: r.entry.result }));
        if (compute.majority(shape, votes) !== null) continue;
        const assignees = compute.assignees(job.entry.job, shape, members, shard, new Set(results.keys()), attempts);
        if (!assignees.includes(this.self)) continue;
        this.computing.add(key);
        this.queue.push({ job, shard });
        this.lastHeartbeat = 0;
      }
    }
    this.heartbeat(false);
    void this.drain();
  }

  /** A member said it is working on these shards of `job`. */
  noteWorking(job: CID, shards: readonly number[]): void {
    const now = Date.now();
    // Bounded: heartbeats may name jobs finalised (and dropped) here already.
    for (const shard of shards) rememberEntry(this.progress, `${job.toString()}/${shard}`, now, 4_096);
  }

  /** Drops a finalised job's queued shards (and what was kept about it). */
  drop(jobId: string): void {
    this.queue.splice(0, this.queue.length, ...this.queue.filter((item) => item.job.id !== jobId));
    for (const key of this.failures.keys()) if (key.startsWith(`${jobId}/`)) this.failures.delete(key);
    for (const key of this.progress.keys()) if (key.startsWith(`${jobId}/`)) this.progress.delete(key);
    this.served.delete(jobId);
  }

  private get maxAttempts(): number {
    return Math.max(1, this.options.maxShardAttempts ?? DEFAULT_MAX_SHARD_ATTEMPTS);
  }

  /** Whether this member spent its retry budget on the shard. */
  private gaveUp(key: string): boolean {
    return (this.failures.get(key) ?? 0) >= this.maxAttempts;
  }

  /** The next queued shard: of the job served least recently (FIFO among equals). */
  private next(): { job: KnownJob; shard: number } {
    let best = 0;
    for (let index = 1; index < this.queue.length; index++) {
      const candidate = this.served.get((this.queue[index] as { job: KnownJob }).job.id) ?? -1;
      if (candidate < (this.served.get((this.queue[best] as { job: KnownJob }).job.id) ?? -1)) best = index;
    }
    const [item] = this.queue.splice(best, 1) as [{ job: KnownJob; shard: number }];
    this.served.set(item.job.id, this.serial++);
    return item;
  }

  /** A call of the shard gave no answer: retry after a shard timeout, unless the budget is spent. */
  private failed(key: string, jobId: string, shard: number, error: unknown): void {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    if (failures >= this.maxAttempts) {
      this.computing.delete(key);
      this.options.logger.warn({ err: error, job: jobId, shard, attempts: failures }, "shard gave no answer in all its attempts; this member gives up on it (other members take it over)");
      return;
    }
    this.options.logger.warn({ err: error, job: jobId, shard, attempts: failures, maxAttempts: this.maxAttempts }, "shard not computed, will retry");
    setTimeout(() => {
      this.computing.delete(key);
      this.options.kick();
    }, this.options.shardTimeoutMs).unref();
  }

  /** Tells the members which shards this node is working on (queued or running), at most every third of the shard timeout. */
  private heartbeat(force: boolean): void {
    const now = Date.now();
    if (this.computing.size === 0 || (!force && now - this.lastHeartbeat < this.options.shardTimeoutMs / 3)) return;
    this.lastHeartbeat = now;
    const { book } = this.options;
    const byJob = new Map<string, { job: CID; shards: number[] }>();
    for (const key of this.computing) {
      const [id, shard] = key.split("/") as [string, string];
      const job = book.job(id);
      if (job === undefined || this.options.isFinalised(id) || book.shardResults(id, Number(shard)).has(this.self)) continue;
      const entry = byJob.get(id) ?? { job: job.entry.job, shards: [] };
      entry.shards.push(Number(shard));
      byJob.set(id, entry);
    }
    for (const { job, shards } of byJob.values()) {
      const request: RoundsRequest = { kind: "working", ring: this.components.chain.ring, job, shards };
      for (const peer of memberPeers(this.components, this.self).values()) void askPeer(this.components.streams, peer, request, 5_000).catch(() => undefined);
    }
  }

  /** One shard at a time: a member is one worker (the speedup benchmark counts on it). */
  private async drain(): Promise<void> {
    if (this.busy || this.queue.length === 0) return;
    const { compute, signal, logger, trace } = this.options;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !signal.aborted) {
        const { job, shard } = this.next();
        const key = `${job.id}/${shard}`;
        try {
          trace("map start", { job: job.id });
          const result = await compute.map(job.entry.job, job.entry.spec, shard, signal);
          trace("map done", { job: job.id });
          await this.components.ownLog.append({ type: SHARD_ENTRY, job: job.entry.job, shard, result: result.cid, bytes: result.bytes });
          trace("shard appended", { job: job.id });
          logger.debug({ job: job.id, shard, result: result.cid.toString() }, "shard computed");
        } catch (error) {
          // Not an answer (a block not fetched, a timeout): try again after a shard timeout, within the budget.
          this.failed(key, job.id, shard, error);
          continue;
        }
        this.options.onComputed(job.id);
      }
    } finally {
      this.busy = false;
    }
    this.options.kick();
  }
}
