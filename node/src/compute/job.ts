/**
 * Jobs: content-addressed, deterministic work.
 *
 * A **job spec** is the dag-cbor map `{ code, inputs, params, shards, redundancy, limits? }`; its
 * CID (CIDv1 dag-cbor sha2-256) is the job's identity:
 * - `code`: CID of a **job code block**, the dag-cbor map `{ source }` holding the JavaScript source
 *   of an ES module, or `{ wasm }` holding a WebAssembly module's bytes (ABI below), so the code
 *   too is identified by its content hash;
 * - `inputs`: CIDs of the input blocks (dag-cbor blocks are decoded, raw blocks arrive as bytes);
 * - `params`: any IPLD value handed to every call (null when absent);
 * - `shards`: how many map calls (1..1024); `redundancy`: members per shard (1..32);
 * - `limits`: optional `{ fuel?, memoryBytes? }` (see limits.ts); absent fields take the defaults.
 *
 * **Job code convention** — the module exports two functions, both pure and synchronous (or
 * async, with microtasks only):
 *
 * ```js
 * export function map(inputs, params, shardIndex, shardCount) { ... }  // one shard's partial result
 * export function reduce(partials, params) { ... }                    // partials in shard order
 * ```
 *
 * `map` decides itself which part of `inputs` belongs to shard `shardIndex` of `shardCount` (see
 * examples/jobs/wordcount.js). Values are IPLD data: null, booleans, numbers (finite), strings,
 * BigInt, Uint8Array, arrays, plain objects, and CID links written `{ "/": "<cid>" }`.
 *
 * **WebAssembly job ABI** — the module imports nothing and exports:
 *
 * ```
 * memory                                                      ;; one memory, with a maximum
 * alloc(len: i32) -> i32                                      ;; room for `len` input bytes
 * map(ptr: i32, len: i32, shardIndex: i32, shardCount: i32) -> i64
 * reduce(ptr: i32, len: i32) -> i64
 * ```
 *
 * An optional export `_initialize()` (a toolchain's initialiser, e.g. AssemblyScript's
 * `--exportStart _initialize`) is called first, metered like the rest.
 * The host calls `alloc`, writes the input at the pointer, then calls `map` or `reduce` with it.
 * `map`'s input is the dag-cbor of `{ inputs, params }`, `reduce`'s of `{ partials, params }`.
 * Both return `(outPtr << 32) | outLen`: the output, which must be canonical dag-cbor (checked by
 * decoding and re-encoding; otherwise BadOutputError). Every call gets a fresh instance. The
 * module must pass wasmModule.ts's rules (no imports, no start function, memory maximum within
 * `limits.memoryBytes`, no floating point); fuel is counted in metered instructions,
 * WASM_FUEL_PER_TICK per tick of `limits.fuel`. examples/jobs/wasm/ has AssemblyScript examples.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { z } from "zod";
import { cidOfBytes } from "../core/cid.js";
import { JobSpecError } from "./errors.js";
import { checkWasmModule } from "./wasmModule.js";
import { MAX_LIMITS, MIN_MEMORY_BYTES, resolveLimits, type SandboxLimits } from "./limits.js";

export const MAX_SHARDS = 1024;
export const MAX_REDUNDANCY = 32;
export const MAX_INPUTS = 1024;

export interface JobSpec {
  code: CID;
  inputs: CID[];
  params: unknown;
  shards: number;
  redundancy: number;
  limits?: Partial<SandboxLimits>;
}

export type JobCode = { source: string } | { wasm: Uint8Array };

/** A block: its CID, its bytes and the value they encode. */
export interface Block<T> {
  cid: CID;
  bytes: Uint8Array;
  value: T;
}

const dagCborCid = z.custom<CID>((value) => {
  const cid = CID.asCID(value);
  return cid !== null && cid.version === 1 && cid.code === dagCbor.code && cid.multihash.code === sha256.code;
}, "must be a CIDv1 dag-cbor sha2-256 CID");

const inputCid = z.custom<CID>((value) => {
  const cid = CID.asCID(value);
  return cid !== null && cid.version === 1 && (cid.code === dagCbor.code || cid.code === raw.code) && cid.multihash.code === sha256.code;
}, "must be a CIDv1 sha2-256 CID of a dag-cbor or raw block");

const limitsSchema = z
  .object({
    fuel: z.number().int().min(1).max(MAX_LIMITS.fuel).optional(),
    memoryBytes: z.number().int().min(MIN_MEMORY_BYTES).max(MAX_LIMITS.memoryBytes).optional(),
  })
  .strict();

export const jobSpecSchema = z
  .object({
    code: dagCborCid,
    inputs: z.array(inputCid).max(MAX_INPUTS),
    params: z.unknown().optional(),
    shards: z.number().int().min(1).max(MAX_SHARDS),
    redundancy: z.number().int().min(1).max(MAX_REDUNDANCY),
    limits: limitsSchema.optional(),
  })
  .strict();

const jobCodeSchema = z.union([
  z.object({ source: z.string().min(1) }).strict(),
  z.object({ wasm: z.instanceof(Uint8Array).refine((bytes) => bytes.length > 0, "must not be empty") }).strict(),
]);

/** Validates a job spec (from JSON-RPC, a log entry or a decoded block). */
export function parseJobSpec(value: unknown): JobSpec {
  const parsed = jobSpecSchema.safeParse(value);
  if (!parsed.success) throw new JobSpecError(`invalid job spec: ${describeIssues(parsed.error)}`);
  const { code, inputs, params, shards, redundancy, limits } = parsed.data;
  const spec: JobSpec = { code: CID.asCID(code) as CID, inputs: inputs.map((cid) => CID.asCID(cid) as CID), params: params ?? null, shards, redundancy };
  if (limits !== undefined) spec.limits = limits;
  return spec;
}

/** The canonical block of a spec; its CID is the job's identity. */
export async function encodeJobSpec(spec: JobSpec): Promise<Block<JobSpec>> {
  const checked = parseJobSpec(spec);
  const body: Record<string, unknown> = { code: checked.code, inputs: checked.inputs, params: checked.params, shards: checked.shards, redundancy: checked.redundancy };
  if (checked.limits !== undefined) body.limits = checked.limits;
  return encodeBlock(body, checked);
}

export function decodeJobSpec(bytes: Uint8Array): JobSpec {
  return parseJobSpec(decodeOrThrow(bytes, "job spec"));
}

/** The code block for an ES module source. */
export async function encodeJobCode(source: string): Promise<Block<JobCode>> {
  const code = parseJobCode({ source });
  return encodeBlock(code, code);
}

/** The code block for a WebAssembly module (checked against the job's limits at submit, see checkJobCode). */
export async function encodeWasmJobCode(wasm: Uint8Array): Promise<Block<JobCode>> {
  const code = parseJobCode({ wasm });
  return encodeBlock(code, code);
}

/** Refuses a WebAssembly module that breaks the ABI or the rules (a WasmModuleError); JS passes. */
export function checkJobCode(code: JobCode, spec: JobSpec): void {
  if ("wasm" in code) checkWasmModule(code.wasm, jobLimits(spec).memoryBytes);
}

export function decodeJobCode(bytes: Uint8Array): JobCode {
  return parseJobCode(decodeOrThrow(bytes, "job code block"));
}

/** An input (or any data) block: dag-cbor of an IPLD value. */
export async function encodeData<T>(value: T): Promise<Block<T>> {
  try {
    return await encodeBlock(value, value);
  } catch (error) {
    if (error instanceof JobSpecError) throw error;
    throw new JobSpecError(`value has no dag-cbor encoding: ${(error as Error).message}`);
  }
}

/** The limits every member runs this job with. */
export function jobLimits(spec: JobSpec): SandboxLimits {
  return resolveLimits(spec.limits);
}

function parseJobCode(value: unknown): JobCode {
  const parsed = jobCodeSchema.safeParse(value);
  if (!parsed.success) throw new JobSpecError(`invalid job code block: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

async function encodeBlock<T>(body: unknown, value: T): Promise<Block<T>> {
  const bytes = dagCbor.encode(body);
  return { cid: await cidOfBytes(bytes), bytes, value };
}

function decodeOrThrow(bytes: Uint8Array, what: string): unknown {
  try {
    return dagCbor.decode(bytes);
  } catch (error) {
    throw new JobSpecError(`${what} is not dag-cbor: ${(error as Error).message}`);
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}
