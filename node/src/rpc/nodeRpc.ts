/**
 * Attaches the JSON-RPC service to a running ring node: its identity pays the relayed gas, its own
 * log (node/src/log) records `received` / `relayed`, its Helia stores hold the replicated client
 * logs and bitswap fetches what the follower misses. `ring-node start --rpc-port N` calls this.
 */
import type { Provider } from "ethers";
import type { RingIdentity } from "../identity/identity.js";
import type { OwnLog } from "../log/ownLog.js";
import type { RingHelia } from "../p2p/createRingHelia.js";
import { fetchBlock } from "../replication/bitswapFetch.js";
import type { NodeLogWriter } from "./nodeLog.js";
import { RingRpcService, type RingRpcLogger, type RingRpcOptions } from "./ringRpcServer.js";

export interface RingNodeParts {
  identity: RingIdentity;
  provider: Provider;
  ownLog: OwnLog;
  /** The node's local blocks (the Helia blockstore's disk side). */
  blockstore: RingRpcOptions["blockstore"];
  datastore: RingRpcOptions["datastore"];
  /** Without it the node does not follow client rings (it still serves FlushToRing). */
  helia?: RingHelia;
  dataDir: string;
  logger?: RingRpcLogger;
}

export interface NodeRpcSettings {
  forwarder: string;
  replicaRing?: string;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  relayWaitMs?: number;
  maxBatchSize?: number;
  followIntervalMs?: number;
  fetchTimeoutMs?: number;
}

/** The node's own log as the RPC methods write to it. */
export function ownLogWriter(ownLog: OwnLog): NodeLogWriter {
  return {
    append: async (payload) => {
      const node = await ownLog.append(payload);
      return { cid: node.cid, seq: node.node.seq };
    },
  };
}

export function createNodeRpc(parts: RingNodeParts, settings: NodeRpcSettings): RingRpcService {
  const { helia } = parts;
  const options: RingRpcOptions = {
    provider: parts.provider,
    relayerWallet: parts.identity.wallet.connect(parts.provider),
    self: parts.identity.address,
    forwarder: settings.forwarder,
    log: ownLogWriter(parts.ownLog),
    blockstore: parts.blockstore,
    datastore: parts.datastore,
    dataDir: parts.dataDir,
  };
  if (helia !== undefined) {
    options.fetchBlock = (cid, signal) => fetchBlock(helia, cid, { timeoutMs: settings.fetchTimeoutMs ?? 10_000, signal });
  }
  for (const key of ["replicaRing", "host", "port", "maxBodyBytes", "relayWaitMs", "maxBatchSize", "followIntervalMs"] as const) {
    if (settings[key] !== undefined) (options as unknown as Record<string, unknown>)[key] = settings[key];
  }
  if (parts.logger !== undefined) options.logger = parts.logger;
  return new RingRpcService(options);
}
