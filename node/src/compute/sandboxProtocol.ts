/** Messages between the Sandbox (host thread) and a sandbox worker. */
import * as dagCbor from "@ipld/dag-cbor";
import type { JobFailureKind } from "./errors.js";
import type { SandboxLimits } from "./limits.js";

export interface WorkerRequest {
  id: number;
  source: string;
  /** A WebAssembly job module (then `source` is unused); see wasmCall.ts. */
  wasm?: Uint8Array;
  entry: string;
  /**
   * dag-cbor encoding of the argument array; for a WebAssembly call, the module's input itself
   * (see wasmCallArgs), so the worker copies it into linear memory without decoding it.
   */
  args: Uint8Array;
  /** A WebAssembly `map`'s shard index and count (the ABI's last two arguments). */
  wasmExtra?: number[];
  seed: [number, number, number, number];
  limits: SandboxLimits;
}

export type WorkerReply =
  | { ready: true }
  | { id: number; ok: true; output: Uint8Array; fuelUsed: number; logs: string[] }
  | { id: number; ok: false; kind: JobFailureKind; message: string; fuelUsed: number; logs: string[] }
  | { id: number; crashed: string };

/**
 * A WebAssembly call's input as the ABI gives it (job.ts): the dag-cbor map `{ inputs, params }`
 * for `map` (with the shard index and count as extra arguments), `{ partials, params }` for `reduce`.
 */
export function wasmCallArgs(entry: string, args: unknown[]): { input: Uint8Array; extra: number[] } {
  if (entry === "map") return { input: dagCbor.encode({ inputs: args[0], params: args[1] }), extra: [args[2] as number, args[3] as number] };
  return { input: dagCbor.encode({ partials: args[0], params: args[1] }), extra: [] };
}
