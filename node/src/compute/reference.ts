/**
 * The single-process reference runner: the same job code, inputs and sandbox as the ring, every
 * shard computed here once, then reduced. What a ring finalises on chain must equal this.
 */
import type { CID } from "multiformats/cid";
import type { BlockSource } from "./blocks.js";
import { computeShard, loadJob, reduceShards, type CallOptions } from "./runner.js";
import { Sandbox, type SandboxOutput } from "./sandbox.js";

export interface JobResult {
  job: CID;
  /** Each shard's result, in shard order. */
  shards: SandboxOutput[];
  /** The reduced output: the job's result. */
  output: SandboxOutput;
}

export interface ReferenceOptions extends CallOptions {
  /** A sandbox to use (left open); by default one is created with `workers` threads and closed. */
  sandbox?: Sandbox;
  workers?: number;
}

export async function runReference(jobCid: CID, blocks: BlockSource, options: ReferenceOptions = {}): Promise<JobResult> {
  const sandbox = options.sandbox ?? new Sandbox({ workers: options.workers ?? 1 });
  try {
    const job = await loadJob(jobCid, blocks, options);
    const shards = await Promise.all(Array.from({ length: job.spec.shards }, (_, shard) => computeShard(sandbox, job, shard, options)));
    const output = await reduceShards(
      sandbox,
      job,
      shards.map((shard) => shard.bytes),
      options,
    );
    return { job: jobCid, shards, output };
  } finally {
    if (!options.sandbox) await sandbox.close();
  }
}
