/**
 * The job spec as the rounds read it: dag-cbor `{ code, inputs, params, shards, redundancy, limits? }`
 * (code: CID of a dag-cbor `{ source }` block; inputs: CIDs of dag-cbor or raw blocks). Its CID is
 * the job's identity. (Interim: to be replaced by node/src/compute/job.ts when it lands.)
 */
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { cidOfBytes } from "../core/cid.js";
import type { SandboxLimits } from "../compute/limits.js";

export interface JobSpec {
  code: CID;
  inputs: CID[];
  params: unknown;
  shards: number;
  redundancy: number;
  limits?: Partial<SandboxLimits>;
}

export class JobSpecFormatError extends Error {
  override name = "JobSpecFormatError";
}

export const MAX_SHARDS = 1024;

export function decodeJobSpec(bytes: Uint8Array): JobSpec {
  let value: Record<string, unknown>;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    throw new JobSpecFormatError(`job spec is not dag-cbor: ${(error as Error).message}`);
  }
  return checkJobSpec(value);
}

export function checkJobSpec(value: Record<string, unknown> | null): JobSpec {
  if (value === null || typeof value !== "object") throw new JobSpecFormatError("job spec is not a map");
  const { code, inputs, shards, redundancy, limits } = value;
  if (CID.asCID(code) === null) throw new JobSpecFormatError("code must be a CID");
  if (!Array.isArray(inputs) || !inputs.every((input) => CID.asCID(input) !== null)) throw new JobSpecFormatError("inputs must be a list of CIDs");
  if (!Number.isSafeInteger(shards) || (shards as number) < 1 || (shards as number) > MAX_SHARDS) throw new JobSpecFormatError(`shards must be an integer in 1..${MAX_SHARDS}`);
  if (!Number.isSafeInteger(redundancy) || (redundancy as number) < 1) throw new JobSpecFormatError("redundancy must be a positive integer");
  if (limits !== undefined && (limits === null || typeof limits !== "object")) throw new JobSpecFormatError("limits must be a map");
  const spec: JobSpec = { code: code as CID, inputs: inputs as CID[], params: value.params ?? null, shards: shards as number, redundancy: redundancy as number };
  if (limits !== undefined) spec.limits = limits as Partial<SandboxLimits>;
  return spec;
}

/** The spec's canonical block and CID (the job id). */
export async function encodeJobSpec(spec: JobSpec): Promise<{ cid: CID; bytes: Uint8Array }> {
  const body: Record<string, unknown> = { code: spec.code, inputs: spec.inputs, params: spec.params ?? null, shards: spec.shards, redundancy: spec.redundancy };
  if (spec.limits !== undefined) body.limits = spec.limits;
  const bytes = dagCbor.encode(body);
  return { cid: await cidOfBytes(bytes), bytes };
}

/** The code block of a job: dag-cbor `{ source }`. */
export async function encodeJobCode(source: string): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = dagCbor.encode({ source });
  return { cid: await cidOfBytes(bytes), bytes };
}
