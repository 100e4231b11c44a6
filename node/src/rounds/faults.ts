/**
 * TEST-ONLY fault switches, read from the environment variable RING_NODE_FAULT (comma-separated).
 * They make a node misbehave so the tests can show the ring copes; never set them in production.
 *
 * - `wrong-results`: every shard result and reduce output this node computes is corrupted (the
 *   honest majority outvotes it; its dissent is recorded on chain).
 * - `fork-log`: after this node's first shard result it signs a second, different node at the same
 *   seq and announces it (the others keep the pair as evidence and prove the fork on chain).
 */
import * as dagCbor from "@ipld/dag-cbor";
import { cidOfBytes } from "../core/cid.js";
import type { ComputedBlock, JobCompute } from "./jobCompute.js";

export type Fault = "wrong-results" | "fork-log";
const KNOWN: readonly Fault[] = ["wrong-results", "fork-log"];

export class UnknownFaultError extends Error {
  override name = "UnknownFaultError";
}

export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): Set<Fault> {
  const faults = new Set<Fault>();
  for (const item of (env.RING_NODE_FAULT ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    if (!KNOWN.includes(item as Fault)) throw new UnknownFaultError(`RING_NODE_FAULT=${item} is not one of ${KNOWN.join(", ")}`);
    faults.add(item as Fault);
  }
  return faults;
}

async function corrupt(block: ComputedBlock): Promise<ComputedBlock> {
  const bytes = dagCbor.encode({ corrupted: dagCbor.decode(block.bytes) });
  return { cid: await cidOfBytes(bytes), bytes };
}

/** The compute layer with every result corrupted (the `wrong-results` fault). */
export function wrongResults(compute: JobCompute): JobCompute {
  return {
    shape: (spec) => compute.shape(spec),
    map: async (job, spec, shard, signal) => corrupt(await compute.map(job, spec, shard, signal)),
    reduce: async (job, spec, partials, signal) => corrupt(await compute.reduce(job, spec, partials, signal)),
    assignees: (...args) => compute.assignees(...args),
    majority: (...args) => compute.majority(...args),
    close: () => compute.close(),
  };
}
