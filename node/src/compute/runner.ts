/**
 * Running a job's pieces in the sandbox: load a job (spec, code, inputs) by CID, compute one shard
 * (`map`), combine shard results (`reduce`). Members and the reference runner call exactly these,
 * so their results are byte-identical.
 *
 * Each call's `Math.random` seed is sha256(job CID ‖ entry ‖ shard index): the same on every member.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "@noble/hashes/sha256";
import { getVerifiedBlock, type BlockSource } from "./blocks.js";
import { JobSpecError } from "./errors.js";
import { decodeJobCode, decodeJobSpec, jobLimits, type JobSpec } from "./job.js";
import type { SandboxLimits } from "./limits.js";
import type { Sandbox, SandboxOutput } from "./sandbox.js";

export interface LoadedJob {
  cid: CID;
  spec: JobSpec;
  /** The ES module source of a JavaScript job ("" for a WebAssembly job). */
  source: string;
  /** The module of a WebAssembly job. */
  wasm?: Uint8Array;
  /** Decoded inputs: dag-cbor blocks as IPLD values, raw blocks as Uint8Array. */
  inputs: unknown[];
  limits: SandboxLimits;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Wall-clock safety net (see Sandbox); a timeout is a non-answer. */
  timeoutMs?: number;
}

/** Reads and checks the spec, the code and every input block. */
export async function loadJob(jobCid: CID, blocks: BlockSource, options: { signal?: AbortSignal } = {}): Promise<LoadedJob> {
  const spec = decodeJobSpec(await getVerifiedBlock(blocks, jobCid, options.signal));
  const code = decodeJobCode(await getVerifiedBlock(blocks, spec.code, options.signal));
  const inputs = await Promise.all(
    spec.inputs.map(async (cid) => {
      const bytes = await getVerifiedBlock(blocks, cid, options.signal);
      return cid.code === raw.code ? bytes : dagCbor.decode(bytes);
    }),
  );
  const job: LoadedJob = { cid: jobCid, spec, source: "source" in code ? code.source : "", inputs, limits: jobLimits(spec) };
  if ("wasm" in code) job.wasm = code.wasm;
  return job;
}

/** Runs `map(inputs, params, shardIndex, shardCount)` for one shard. */
export function computeShard(sandbox: Sandbox, job: LoadedJob, shardIndex: number, options: CallOptions = {}): Promise<SandboxOutput> {
  if (!Number.isSafeInteger(shardIndex) || shardIndex < 0 || shardIndex >= job.spec.shards) {
    return Promise.reject(new JobSpecError(`shard ${shardIndex} is outside 0..${job.spec.shards - 1}`));
  }
  return sandbox.run(
    {
      source: job.source,
      ...(job.wasm ? { wasm: job.wasm } : {}),
      entry: "map",
      args: [job.inputs, job.spec.params, shardIndex, job.spec.shards],
      seed: callSeed(job.cid, "map", shardIndex),
      limits: job.limits,
    },
    options,
  );
}

/** Runs `reduce(partials, params)` over the shards' result blocks, given in shard order. */
export function reduceShards(sandbox: Sandbox, job: LoadedJob, partials: readonly Uint8Array[], options: CallOptions = {}): Promise<SandboxOutput> {
  if (partials.length !== job.spec.shards) {
    return Promise.reject(new JobSpecError(`reduce needs ${job.spec.shards} shard results, got ${partials.length}`));
  }
  return sandbox.run(
    {
      source: job.source,
      ...(job.wasm ? { wasm: job.wasm } : {}),
      entry: "reduce",
      args: [partials.map((bytes) => dagCbor.decode(bytes)), job.spec.params],
      seed: callSeed(job.cid, "reduce", 0),
      limits: job.limits,
    },
    options,
  );
}

/** The Math.random seed of one call: sha256(job CID bytes ‖ entry ‖ shard index as 4 bytes BE). */
export function callSeed(jobCid: CID, entry: string, shardIndex: number): Uint8Array {
  const entryBytes = new TextEncoder().encode(entry);
  const input = new Uint8Array(jobCid.bytes.length + entryBytes.length + 4);
  input.set(jobCid.bytes, 0);
  input.set(entryBytes, jobCid.bytes.length);
  new DataView(input.buffer).setUint32(jobCid.bytes.length + entryBytes.length, shardIndex);
  return sha256(input).subarray(0, 16);
}
