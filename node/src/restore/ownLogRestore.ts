/**
 * The check a member makes at start, before anything appends to its own log: the heads the chain
 * names for it (`logNodeHeads(self)`, and its entry in the member heads of the ring log node at
 * `ringNodeHead`, which is the only one for members of a computing ring), and the heads of it the
 * connected ring members hold (peerHeads.ts: nodes appended after the last on-chain head), against
 * what its store holds. When the chain is ahead (a lost or older data directory), the missing nodes are restored
 * first (restorePlan.ts) from the replica nodes (GetReplicaLog: `restoreFrom`, and the endpoints
 * the registered replica rings' nodes published on chain, chain/replicaEndpoints.ts), the local
 * blockstore, and bitswap from the ring's members and the replica nodes of the replica rings the
 * ring is registered with (dialled from their node info on chain); each verified; then appended
 * durably, so the next append continues at on-chain seq + 1. When no source has them the start is
 * refused (errors.ts) and nothing is appended: a member never starts again at seq 0.
 */
import type { Libp2p, PeerId } from "@libp2p/interface";
import type { Signer } from "ethers";
import type { Logger } from "pino";
import type { CID } from "multiformats/cid";
import { bytes32ToCid, cidOfBytes } from "../core/cid.js";
import { ChainReads, type RingChainView } from "../chain/index.js";
import type { ServedRings } from "../chain/servedRings.js";
import type { LogStore } from "../log/store.js";
import type { RingHelia } from "../p2p/createRingHelia.js";
import { ClientRingPeers } from "../replica/clientRingPeers.js";
import { memberHeadsOf } from "../replica/ringHeads.js";
import { RingsRpcClient } from "../client/ringsRpcClient.js";
import { bitswapSource, localSource } from "./blockSources.js";
import { OwnHeadUnknownError } from "./errors.js";
import { MAX_RESTORE_NODES, planRestore, type RestoreSource } from "./restorePlan.js";
import { peerHeadsOfSelf } from "./peerHeads.js";
import { ReplicaLogSource } from "./replicaLogSource.js";

export interface OwnLogRestoreComponents {
  self: string;
  signer: Pick<Signer, "signMessage">;
  chain: Pick<RingChainView, "ring" | "domain" | "provider" | "logNodeHead" | "ringNodeHead">;
  logs: Pick<LogStore, "length" | "holds" | "readBytes" | "append">;
  helia: Pick<RingHelia, "blockstore"> & { libp2p: Libp2p };
  /** Whether a peer is a member of the ring (whose heads of this member's log are asked for). */
  isMemberPeer: (peer: PeerId) => boolean;
  /** The replica rings the ring is registered with (their nodes are dialled for bitswap and asked with GetReplicaLog at the endpoints they published). */
  served: Pick<ServedRings, "replicaRings" | "replicaEndpoints"> | null;
  logger: Logger;
}

export interface OwnLogRestoreSettings {
  /** Replica nodes' JSON-RPC URLs (GetReplicaLog). */
  restoreFrom: readonly string[];
  /** The ring's replica key (ring-keys.json), when held. */
  replicaKey?: Uint8Array;
  fetchTimeoutMs: number;
  /** How long to wait for a first connection to a ring member before asking the members' heads. Default 2 s. */
  peerWaitMs?: number;
  maxNodes?: number;
}

export interface RestoreOutcome {
  /** Nodes appended (0: the store held every on-chain head). */
  restored: number;
  /** Seq of the own head after the check (-1: none). */
  headSeq: number;
  bySource: Record<string, number>;
}

/** Restores what the chain names of the member's own log and the store lacks; throws a RefusedToForkError when it cannot. */
export async function restoreOwnLog(components: OwnLogRestoreComponents, settings: OwnLogRestoreSettings, signal: AbortSignal): Promise<RestoreOutcome> {
  const { self, chain, logs, logger } = components;
  const replicaPeers = await dialReplicaNodes(components, signal);
  const providers = () => unique([...components.helia.libp2p.getPeers(), ...replicaPeers]);
  const bitswap = bitswapSource(components.helia, providers, settings.fetchTimeoutMs);
  const peerHeads = await peerHeadsOfSelf({ libp2p: components.helia.libp2p, ring: chain.ring, self, isMemberPeer: (peer) => components.isMemberPeer(peer), waitMs: settings.peerWaitMs ?? 2_000, timeoutMs: settings.fetchTimeoutMs, logger: components.logger, signal });
  const targets = [bytes32ToCid(chain.logNodeHead(self)), await roundHead(components, bitswap, signal), ...peerHeads].filter((cid): cid is CID => cid !== null);
  const held = { length: logs.length(self), holds: (seq: number, cid: CID) => logs.holds(self, seq, cid) };
  const sinceSeq = held.length - 1;
  const urls = [...new Set([...settings.restoreFrom, ...(await publishedEndpoints(components, signal))])];
  const replicas = urls.map(
    (url) => new ReplicaLogSource({ name: `GetReplicaLog ${url}`, client: new RingsRpcClient(url, { timeoutMs: 15_000 }), ring: chain.ring, member: self, signer: components.signer, sinceSeq, ...(settings.replicaKey === undefined ? {} : { replicaKey: settings.replicaKey }) }),
  );
  const sources: RestoreSource[] = [localSource(logs), ...replicas, bitswap];
  const plan = await planRestore({ author: self, targets, held, sources, context: { domain: chain.domain, isMember: (address) => address === self }, maxNodes: settings.maxNodes ?? MAX_RESTORE_NODES, signal });
  if (plan.kind === "current") return { restored: 0, headSeq: held.length - 1, bySource: {} };
  await logs.append(self, plan.nodes, true);
  const headSeq = logs.length(self) - 1;
  logger.info({ restored: plan.nodes.length, from: held.length, headSeq, bySource: plan.bySource }, "own log restored from the chain's heads before appending");
  return { restored: plan.nodes.length, headSeq, bySource: plan.bySource };
}

/** The member's head in the ring log node the chain names (null: no round yet, or no entry for it). */
async function roundHead(components: OwnLogRestoreComponents, bitswap: RestoreSource, signal: AbortSignal): Promise<CID | null> {
  const { self, chain, logs } = components;
  const cid = bytes32ToCid(chain.ringNodeHead());
  if (cid === null) return null;
  const bytes = (await logs.readBytes(cid)) ?? (await bitswap.get(cid, signal));
  if (bytes === null) {
    if (logs.length(self) === 0) {
      throw new OwnHeadUnknownError(`the ring's latest round names its members' heads in ${cid.toString()}, which no source has, and this store holds none of ${self}'s log: refusing to start at seq 0 (give --restore-from or --peer a node that holds it)`);
    }
    components.logger.warn({ ringNodeHead: cid.toString() }, "the latest ring log node is not at hand; checking the own log against logNodeHeads only");
    return null;
  }
  return memberHeadsOf(chain.ring, cid, bytes, await cidOfBytes(bytes)).get(self) ?? null;
}

/** The JSON-RPC URLs the nodes of the replica rings the ring is registered with published on chain (none when they cannot be read). */
async function publishedEndpoints(components: OwnLogRestoreComponents, signal: AbortSignal): Promise<string[]> {
  if (components.served === null) return [];
  try {
    return (await components.served.replicaEndpoints(signal)).map((endpoint) => endpoint.url);
  } catch (error) {
    components.logger.warn({ err: error }, "the replica nodes' endpoints were not read from the chain; restoring from the other sources");
    return [];
  }
}

/** Dials the nodes of the replica rings the ring is registered with (bitswap can then ask them). */
async function dialReplicaNodes(components: OwnLogRestoreComponents, signal: AbortSignal): Promise<PeerId[]> {
  if (components.served === null) return [];
  try {
    const rings = await components.served.replicaRings(signal);
    const peers = new ClientRingPeers({ chain: new ChainReads(components.chain.provider), libp2p: components.helia.libp2p });
    return (await Promise.all(rings.map((ring) => peers.connect(ring, signal)))).flat();
  } catch (error) {
    components.logger.warn({ err: error }, "the replica rings' nodes were not dialled; restoring from the other sources");
    return [];
  }
}

function unique(peers: PeerId[]): PeerId[] {
  return [...new Map(peers.map((peer) => [peer.toString(), peer])).values()];
}
