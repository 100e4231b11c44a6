/**
 * What a round contains, computed the same way by the relayer (to propose) and by every member (to
 * check a proposal): each job's majority shard results within a cut of the members' logs, its
 * reduced output, the round's Outputs and the ring log node whose head the votes sign.
 */
import { getAddress } from "ethers";
import type { Logger } from "pino";
import { JobInputError } from "../compute/errors.js";
import type { CID } from "multiformats/cid";
import type { LogStore } from "../log/store.js";
import type { CutHead } from "./entries.js";
import type { JobBook, KnownJob } from "./jobBook.js";
import type { ComputedBlock, JobCompute } from "./jobCompute.js";

export { outputsOf, proposalMatchesHead, ringNodeOf, ZERO_ADDRESS } from "../core/ringProposal.js";

/** Each shard's majority result CID (in shard order) among current members, or null while a shard has none. */
export function majorityShards(
  book: Pick<JobBook, "shardResults" | "shardResultsWithin">,
  compute: Pick<JobCompute, "shape" | "majority">,
  job: KnownJob,
  isMember: (address: string) => boolean,
  cut?: ReadonlyMap<string, number>,
): CID[] | null {
  const shape = compute.shape(job.entry.spec);
  const shards: CID[] = [];
  for (let shard = 0; shard < shape.shards; shard++) {
    const all = cut === undefined ? [...book.shardResults(job.id, shard).values()] : book.shardResultsWithin(job.id, shard, cut);
    // Only current members' results count: an ejected member's answers are void.
    const results = all.filter((result) => isMember(result.member));
    const majority = compute.majority(
      shape,
      results.map((r) => ({ member: r.member, result: r.entry.result })),
    );
    if (majority === null) return null;
    shards.push(majority.result);
  }
  return shards;
}

/** The open jobs whose every shard has a majority result (`onReady` hears each with its shards). */
export function readyJobs(
  openJobs: readonly KnownJob[],
  book: Pick<JobBook, "shardResults" | "shardResultsWithin">,
  compute: Pick<JobCompute, "shape" | "majority">,
  isMember: (address: string) => boolean,
  onReady: (job: KnownJob, shards: CID[]) => void,
): KnownJob[] {
  return openJobs.filter((job) => {
    try {
      const shards = majorityShards(book, compute, job, isMember);
      if (shards !== null) onReady(job, shards);
      return shards !== null;
    } catch {
      return false;
    }
  });
}

/** The result blocks' bytes for the given shard CIDs, taken from the shard entries in the logs. */
export function partialsOf(book: Pick<JobBook, "shardResults">, job: KnownJob, shards: readonly CID[]): Uint8Array[] {
  return shards.map((cid, shard) => {
    for (const result of book.shardResults(job.id, shard).values()) if (result.entry.result.equals(cid)) return result.entry.bytes;
    throw new Error(`no shard entry carries result ${cid.toString()} of job ${job.id} shard ${shard}`);
  });
}

/** Caches reduce outputs by job and shard results: a member reduces the same inputs once (until the job is final: forget). */
export class ReduceCache {
  /** job id -> shard result CIDs -> the reduce. */
  private readonly cache = new Map<string, Map<string, Promise<ComputedBlock>>>();

  constructor(private readonly compute: JobCompute) {}

  reduce(book: Pick<JobBook, "shardResults">, job: KnownJob, shards: readonly CID[], signal: AbortSignal): Promise<ComputedBlock> {
    const key = shards.map(String).join(",");
    let byShards = this.cache.get(job.id);
    if (byShards === undefined) this.cache.set(job.id, (byShards = new Map<string, Promise<ComputedBlock>>()));
    let pending = byShards.get(key);
    if (pending === undefined) {
      pending = this.compute.reduce(job.entry.job, job.entry.spec, partialsOf(book, job, shards), signal);
      const cached = byShards;
      pending.catch(() => cached.delete(key));
      byShards.set(key, pending);
    }
    return pending;
  }

  /**
   * The reduce, or null when the job's blocks (code, inputs) are at no member any more (lost with
   * every member's data): such a job is left out of the round rather than stall every round.
   */
  async reduceIfInputs(book: Pick<JobBook, "shardResults">, job: KnownJob, shards: readonly CID[], signal: AbortSignal, logger: Pick<Logger, "warn">): Promise<ComputedBlock | null> {
    try {
      return await this.reduce(book, job, shards, signal);
    } catch (error) {
      if (!(error instanceof JobInputError)) throw error;
      logger.warn({ err: error, job: job.id }, "a job's blocks are not at hand; proposing the round without it");
      return null;
    }
  }

  /** Drops a finalised job's reduces. */
  forget(jobId: string): void {
    this.cache.delete(jobId);
  }
}

/** A cut as author -> seq. */
export function cutSeqs(cut: readonly CutHead[]): Map<string, number> {
  return new Map(cut.map((head) => [getAddress(head.author), head.seq]));
}

/** The cut a relayer proposes: every member's head as this node holds it (members with an empty log left out). */
export function currentCut(members: readonly string[], logs: Pick<LogStore, "head">): CutHead[] {
  const cut: CutHead[] = [];
  for (const member of members) {
    const head = logs.head(member);
    if (head !== null) cut.push({ author: head.author, seq: head.seq, cid: head.cid });
  }
  return cut;
}
