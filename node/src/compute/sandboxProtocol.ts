/** Messages between the Sandbox (host thread) and a sandbox worker. */
import type { JobFailureKind } from "./errors.js";
import type { SandboxLimits } from "./limits.js";

export interface WorkerRequest {
  id: number;
  source: string;
  /** A WebAssembly job module (then `source` is unused); see wasmCall.ts. */
  wasm?: Uint8Array;
  entry: string;
  /** dag-cbor encoding of the argument array. */
  args: Uint8Array;
  seed: [number, number, number, number];
  limits: SandboxLimits;
}

export type WorkerReply =
  | { ready: true }
  | { id: number; ok: true; output: Uint8Array; fuelUsed: number; logs: string[] }
  | { id: number; ok: false; kind: JobFailureKind; message: string; fuelUsed: number; logs: string[] }
  | { id: number; crashed: string };
