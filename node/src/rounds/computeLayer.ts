/**
 * The JobCompute the round engine uses, built on the compute layer (node/src/compute): jobs are
 * loaded and run with its runner (deterministic QuickJS sandbox, per-call seeds), shards are planned
 * and decided with its plan. Code and input blocks come from the node's blockstore, fetched from
 * the ring over bitswap when missing (bounded by a timeout). A deterministic job failure is the
 * shard's (or the job's) result; anything else (a missing block, a timeout) is a non-answer.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { cidOfBytes } from "../core/cid.js";
import { JobFailure } from "../compute/errors.js";
import type { BlockSource } from "../compute/blocks.js";
import { decodeJobSpec } from "../compute/job.js";
import { planJob, shardAssignees, type JobPlan } from "../compute/plan.js";
import { decideShard } from "../compute/tally.js";
import { computeShard, loadJob, reduceShards, type LoadedJob } from "../compute/runner.js";
import type { Sandbox } from "../compute/sandbox.js";
import type { ComputedBlock, JobCompute, JobShape, ShardMajority, ShardVote } from "./jobCompute.js";

export class SandboxCompute implements JobCompute {
  private readonly loaded = new Map<string, Promise<LoadedJob>>();
  private readonly plans = new Map<string, JobPlan>();
  /** Decoded shapes by spec bytes (the engine asks many times per job). */
  private readonly shapes = new WeakMap<Uint8Array, JobShape>();

  /** `blocks` must hold (or fetch) the code and inputs; `storeSpec` puts the spec block where `blocks` finds it. */
  constructor(
    private readonly sandbox: Sandbox,
    private readonly blocks: BlockSource,
    private readonly storeSpec: (cid: CID, bytes: Uint8Array) => Promise<void>,
  ) {}

  shape(specBytes: Uint8Array): JobShape {
    let shape = this.shapes.get(specBytes);
    if (shape === undefined) {
      const spec = decodeJobSpec(specBytes);
      shape = { shards: spec.shards, redundancy: spec.redundancy };
      this.shapes.set(specBytes, shape);
    }
    return shape;
  }

  async map(job: CID, specBytes: Uint8Array, shard: number, signal: AbortSignal): Promise<ComputedBlock> {
    const loaded = await this.load(job, specBytes, signal);
    try {
      const output = await computeShard(this.sandbox, loaded, shard, { signal });
      return { cid: output.cid, bytes: output.bytes };
    } catch (error) {
      if (error instanceof JobFailure) return failureBlock(error);
      throw error;
    }
  }

  async reduce(job: CID, specBytes: Uint8Array, partials: Uint8Array[], signal: AbortSignal): Promise<ComputedBlock> {
    // A shard that failed deterministically makes the job's result that failure.
    for (const bytes of partials) if (isFailure(dagCbor.decode(bytes))) return { cid: await cidOfBytes(bytes), bytes };
    const loaded = await this.load(job, specBytes, signal);
    try {
      const output = await reduceShards(this.sandbox, loaded, partials, { signal });
      return { cid: output.cid, bytes: output.bytes };
    } catch (error) {
      if (error instanceof JobFailure) return failureBlock(error);
      throw error;
    }
  }

  assignees(job: CID, shape: JobShape, members: readonly string[], shard: number, answered: ReadonlySet<string>, attempts: number): string[] {
    // More redundancy than members: every member computes every shard.
    const redundancy = Math.min(shape.redundancy, members.length);
    const key = `${job.toString()}|${redundancy}|${members.join(",")}`;
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = planJob({ job, members, shards: shape.shards, redundancy });
      this.plans.set(key, plan);
      if (this.plans.size > 256) this.plans.delete(this.plans.keys().next().value as string);
    }
    return shardAssignees(plan, shard, answered, attempts);
  }

  majority(shape: JobShape, votes: readonly ShardVote[]): ShardMajority | null {
    const decision = decideShard(0, shape.redundancy, votes.map((vote) => ({ shard: 0, member: vote.member, result: vote.result })));
    return decision.status === "agreed" ? { result: decision.result, agreeing: decision.agreeing, dissenting: decision.dissenting } : null;
  }

  async close(): Promise<void> {
    await this.sandbox.close();
  }

  private load(job: CID, specBytes: Uint8Array, signal: AbortSignal): Promise<LoadedJob> {
    const key = job.toString();
    let pending = this.loaded.get(key);
    if (pending === undefined) {
      pending = (async () => {
        await this.storeSpec(job, specBytes);
        return loadJob(job, this.blocks, { signal });
      })();
      pending.catch(() => this.loaded.delete(key));
      this.loaded.set(key, pending);
      if (this.loaded.size > 64) this.loaded.delete(this.loaded.keys().next().value as string);
    }
    return pending;
  }
}

/** The key of a failure result: `{ ringsJobFailure: { kind, message } }`. */
export const FAILURE_KEY = "ringsJobFailure";

/**
 * A deterministic failure (fuel, memory, the job threw, bad output, bad code) is a result like any
 * other: every honest member gets the same one, so the ring agrees on it and the job finishes.
 */
async function failureBlock(error: JobFailure): Promise<ComputedBlock> {
  const bytes = dagCbor.encode({ [FAILURE_KEY]: { kind: error.kind, message: error.message } });
  return { cid: await cidOfBytes(bytes), bytes };
}

function isFailure(value: unknown): boolean {
  return value !== null && typeof value === "object" && FAILURE_KEY in value;
}
