/**
 * TEST-ONLY fault switches, read from the environment variable RING_NODE_FAULT (comma-separated).
 * They make a node misbehave so the tests can show the ring copes; never set them in production.
 *
 * - `wrong-results`: every shard result and reduce output this node computes is corrupted (the
 *   honest majority outvotes it; its dissent is recorded on chain).
 * - `fork-log`: after this node's first shard result it signs a second, different node at the same
 *   seq and announces it (the others keep the pair as evidence and prove the fork on chain).
 *
 * Each fault is a decorator around one component (the compute layer, the own log) that the rounds
 * service applies only when the fault is set: no production code checks for faults.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import { cidOfBytes } from "../core/cid.js";
import { signLogNodeWithKey } from "../core/logNode.js";
import type { RingIdentity } from "../identity/identity.js";
import type { OwnLog } from "../log/ownLog.js";
import type { LogStore } from "../log/store.js";
import type { LogBlockstore } from "../p2p/blockstore.js";
import type { Replicator } from "../replication/replicator.js";
import { asRoundsEntry, SHARD_ENTRY } from "./entries.js";
import { UnknownFaultError } from "./errors.js";
import type { ComputedBlock, JobCompute } from "./jobCompute.js";

export type Fault = "wrong-results" | "fork-log";
const KNOWN: readonly Fault[] = ["wrong-results", "fork-log"];

export { UnknownFaultError } from "./errors.js";

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

/** The own log as the rounds use it. */
export type RoundsOwnLog = Pick<OwnLog, "head" | "append" | "onAppended">;

export interface ForkLogComponents {
  logs: Pick<LogStore, "nodeAt">;
  blocks: Pick<LogBlockstore, "putBytes">;
  signer: Pick<RingIdentity, "address" | "privateKey">;
  chain: Pick<RingChainView, "domain">;
  replicator: Pick<Replicator, "announce">;
  logger: Logger;
}

/** The own log that forks itself once, right after its first shard result (the `fork-log` fault). */
export function forkLog(ownLog: RoundsOwnLog, components: ForkLogComponents): RoundsOwnLog {
  let forked = false;
  return {
    head: () => ownLog.head(),
    onAppended: (listener) => ownLog.onAppended(listener),
    append: async (payload, options) => {
      const appended = await ownLog.append(payload, options);
      if (!forked && asRoundsEntry(payload)?.type === SHARD_ENTRY) {
        forked = true;
        await forkHead(ownLog, components);
      }
      return appended;
    },
  };
}

/** Signs a second node at the current head's seq and announces it, a few times over. */
async function forkHead(ownLog: RoundsOwnLog, { logs, blocks, signer, chain, replicator, logger }: ForkLogComponents): Promise<void> {
  const head = ownLog.head();
  if (head === null) return;
  const held = await logs.nodeAt(signer.address, head.seq);
  if (held === null) return;
  const { sig: _sig, ...body } = held.node;
  const forked = await signLogNodeWithKey({ ...body, payload: { type: "fork", of: held.cid } }, signer.privateKey, chain.domain);
  await blocks.putBytes(forked.cid, forked.bytes);
  logger.warn({ seq: head.seq, cid: forked.cid.toString() }, "FAULT fork-log: announcing a forked node");
  const announce = () => void replicator.announce({ author: signer.address, seq: head.seq, cid: forked.cid });
  announce();
  for (const delay of [500, 1_500, 3_000]) setTimeout(announce, delay);
}
