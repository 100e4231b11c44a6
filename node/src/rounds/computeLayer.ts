/**
 * The JobCompute the round engine uses, on the compute layer (node/src/compute): job code runs in
 * the deterministic QuickJS sandbox; code and input blocks come from the node's blockstore, fetched
 * from the ring over bitswap when missing (bounded by a timeout).
 */
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { Sandbox } from "../compute/sandbox.js";
import type { ComputedBlock, JobCompute, JobShape, ShardMajority, ShardVote } from "./jobCompute.js";
import { decodeJobSpec, type JobSpec } from "./jobSpec.js";
import { assignees, majority } from "./shardPlan.js";

export type BlockSource = (cid: CID, signal: AbortSignal) => Promise<Uint8Array>;

export class JobCodeError extends Error {
  override name = "JobCodeError";
}

interface LoadedJob {
  spec: JobSpec;
  source: string;
  inputs: unknown[];
}

export class SandboxCompute implements JobCompute {
  private readonly loaded = new Map<string, Promise<LoadedJob>>();

  constructor(
    private readonly sandbox: Sandbox,
    private readonly blocks: BlockSource,
  ) {}

  shape(specBytes: Uint8Array): JobShape {
    const spec = decodeJobSpec(specBytes);
    return { shards: spec.shards, redundancy: spec.redundancy };
  }

  async map(job: CID, specBytes: Uint8Array, shard: number, signal: AbortSignal): Promise<ComputedBlock> {
    const { spec, source, inputs } = await this.load(job, specBytes, signal);
    const output = await this.sandbox.run({ source, entry: "map", args: [inputs, spec.params, shard, spec.shards], limits: spec.limits }, { signal });
    return { cid: output.cid, bytes: output.bytes };
  }

  async reduce(job: CID, specBytes: Uint8Array, partials: Uint8Array[], signal: AbortSignal): Promise<ComputedBlock> {
    const { spec, source } = await this.load(job, specBytes, signal);
    const values = partials.map((bytes) => dagCbor.decode(bytes));
    const output = await this.sandbox.run({ source, entry: "reduce", args: [values, spec.params], limits: spec.limits }, { signal });
    return { cid: output.cid, bytes: output.bytes };
  }

  assignees(job: CID, shape: JobShape, members: readonly string[], shard: number, answered: ReadonlySet<string>, attempts: number): string[] {
    return assignees(job, shape, members, shard, answered, attempts);
  }

  majority(shape: JobShape, votes: readonly ShardVote[]): ShardMajority | null {
    return majority(shape, votes);
  }

  async close(): Promise<void> {
    await this.sandbox.close();
  }

  private load(job: CID, specBytes: Uint8Array, signal: AbortSignal): Promise<LoadedJob> {
    const key = job.toString();
    let pending = this.loaded.get(key);
    if (pending === undefined) {
      pending = (async () => {
        const spec = decodeJobSpec(specBytes);
        const code = dagCbor.decode<{ source?: unknown }>(await this.blocks(spec.code, signal));
        if (typeof code?.source !== "string") throw new JobCodeError(`code block ${spec.code.toString()} has no source`);
        const inputs = await Promise.all(spec.inputs.map(async (cid) => decodeInput(cid, await this.blocks(cid, signal))));
        return { spec, source: code.source, inputs };
      })();
      pending.catch(() => this.loaded.delete(key));
      this.loaded.set(key, pending);
      if (this.loaded.size > 64) this.loaded.delete(this.loaded.keys().next().value as string);
    }
    return pending;
  }
}

/** dag-cbor inputs are decoded; raw inputs are passed as bytes. */
function decodeInput(cid: CID, bytes: Uint8Array): unknown {
  return cid.code === dagCbor.code ? dagCbor.decode(bytes) : bytes;
}
