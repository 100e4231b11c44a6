/**
 * What the round engine needs from the compute layer (node/src/compute): read a job spec, run one
 * shard (map) and the reduce deterministically, and the shard plan (who computes which shard, who
 * takes over after a timeout, which result has the majority). `computeLayer.ts` implements it on
 * the compute engineer's modules; the engine depends only on this interface.
 */
import type { CID } from "multiformats/cid";

export interface JobShape {
  shards: number;
  redundancy: number;
}

/** A computed block: canonical dag-cbor bytes and their CID. */
export interface ComputedBlock {
  cid: CID;
  bytes: Uint8Array;
}

export interface ShardVote {
  member: string;
  result: CID;
}

export interface ShardMajority {
  result: CID;
  /** Members whose result is the majority's. */
  agreeing: string[];
  /** Members who answered something else. */
  dissenting: string[];
}

export interface JobCompute {
  /** Decodes and validates a spec block (throws on a malformed spec). */
  shape(specBytes: Uint8Array): JobShape;
  /** Runs shard `shard` of the job; code and inputs are fetched by CID through the block source. */
  map(job: CID, specBytes: Uint8Array, shard: number, signal: AbortSignal): Promise<ComputedBlock>;
  /** Combines the shards' results (blocks in shard order). */
  reduce(job: CID, specBytes: Uint8Array, partials: Uint8Array[], signal: AbortSignal): Promise<ComputedBlock>;
  /**
   * Who computes `shard` now: the plan's first assignees, plus one more member for every
   * `attempts` timeout passed without a majority (members sorted as the chain lists them).
   */
  assignees(job: CID, shape: JobShape, members: readonly string[], shard: number, answered: ReadonlySet<string>, attempts: number): string[];
  /** The result enough members agree on, or null. */
  majority(shape: JobShape, votes: readonly ShardVote[]): ShardMajority | null;
  close(): Promise<void>;
}
