/**
 * The JSON-RPC service inside `ring-node start`: FlushToRing, ReplicateRing, GetFlushStatus and
 * GetReplicaLog on HTTP and WebSocket (same port; and the messages' methods and subscriptions:
 * node/src/messages), with its URL written to
 * `<dataDir>/jsonrpc.json`. A js-libp2p style
 * service: `jsonRpcService(settings)(components)`, started and stopped by the composition root.
 * Its settings are the `jsonrpc` section of the node's configuration (config/schema.ts).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { PeerId, Startable } from "@libp2p/interface";
import { getAddress } from "ethers";
import type { ReplicaStatusSink } from "../api/results.js";
import { ChainReads, RingReads, type RingChainView } from "../chain/index.js";
import type { JsonRpcSettings, NodeConfig } from "../config/config.js";
import type { RingIdentity } from "../identity/identity.js";
import type { OwnLog } from "../log/ownLog.js";
import { pinAtDepthZero } from "../log/pinRecords.js";
import type { RpcMethod } from "../jsonrpc/dispatcher.js";
import type { Logger } from "../logging.js";
import type { LogBlockstore } from "../p2p/blockstore.js";
import type { RingHelia } from "../p2p/createRingHelia.js";
import { fetchBlock } from "../replication/bitswapFetch.js";
import { fetchLogRange } from "../replication/logSync.js";
import type { FollowRange } from "../replica/followRange.js";
import type { PayloadSealer } from "../replica/sealedLog.js";
import type { ReceivedBlock } from "../log/verify.js";
import { addressOfPeerId } from "../identity/identity.js";
import { ClientRingPeers } from "../replica/clientRingPeers.js";
import { ownLogWriter } from "./nodeLog.js";
import { RingRpcService, type RingRpcOptions } from "./ringRpcService.js";
import type { OwnRingLogs } from "./methods/ringLogPages.js";
import { writePrivateFile } from "../config/privateDir.js";
import { publishEndpoint } from "./endpointPublisher.js";
import type { BitswapPeers } from "../p2p/bitswapPeers.js";

export const JSONRPC_FILE = "jsonrpc.json";

/** A follower's log-sync range: the most nodes a member may announce (frames are verified and kept one at a time), and its overall deadline. */
const MAX_RANGE_NODES = 1_000_000;
const RANGE_DEADLINE_MS = 120_000;

/** The `jsonrpc` settings, and knobs that only tests and benchmarks set. */
export interface RpcPluginSettings extends JsonRpcSettings {
  maxBatchSize?: number;
  followIntervalMs?: number;
  chainTimeoutMs?: number;
  wsLimits?: RingRpcOptions["wsLimits"];
  wsAllowedOrigins?: readonly string[];
}

/** What the service uses of the member node (MemberComponents' keys, each narrowed). */
export interface JsonRpcComponents {
  config: Pick<NodeConfig, "dataDir" | "fetchTimeoutMs">;
  logger: Pick<Logger, "child">;
  /** Pays the relayed gas; must be a member of the replica ring's Ring. */
  signer: Pick<RingIdentity, "address" | "wallet">;
  /** The chain endpoint, and the node's ring (whose trusted forwarder is the default). */
  chain: Pick<RingChainView, "provider" | "ring">;
  /** Bitswap fetches of client rings' nodes (dialling their members); its datastore keeps the replica keys. */
  helia: Pick<RingHelia, "blockstore" | "datastore" | "libp2p"> & Partial<Pick<RingHelia, "pins">>;
  /** The local blocks (no network fallback): the replicated client logs live here. */
  blocks: Pick<LogBlockstore, "get" | "put" | "has" | "delete">;
  /** `received` / `relayed` / `ReplicateRing` messages go to the node's own log. */
  ownLog: Pick<OwnLog, "append">;
  /** Seals those messages with the replica ring's read key (absent: written as they are). */
  readKeys?: PayloadSealer;
  /** The node's status shows the follower's progress per client ring and member (absent: not shown). */
  statusSections?: ReplicaStatusSink;
  /** Bitswap serves the followed client rings' members too (absent: not changed). */
  bitswapPeers?: Pick<BitswapPeers, "add">;
  /** The ring's member logs as this member holds them: GetReplicaLog serves them to the ring's members. */
  logs?: OwnRingLogs["logs"];
  /** The ring's messages (node/src/messages): their methods are served here too. */
  messages?: { readonly methods: Record<string, RpcMethod>; readonly wsMethods?: Record<string, RpcMethod> };
}

export interface JsonRpcService extends Startable {
  /** Where it listens (`http://host:port/`); throws when not started or disabled. */
  readonly url: string;
  /** The assembled service (methods, relayer, stores, follower), for tests and the benchmark; null until started. */
  readonly rpc: RingRpcService | null;
  /** The members of the client rings this node follows (those that published node info). */
  readonly clientPeers: ClientRingPeers;
  /** Whether the endpoint is published on the replica ring (after start; false without a replica ring). */
  readonly endpointPublished: Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function jsonRpcService(init: RpcPluginSettings): (components: JsonRpcComponents) => JsonRpcService {
  return (components) => new NodeJsonRpcService(components, init);
}

class NodeJsonRpcService implements JsonRpcService {
  private readonly components: JsonRpcComponents;
  private readonly settings: RpcPluginSettings;
  private running: { rpc: RingRpcService; url: string; file: string } | null = null;
  private stopping = new AbortController();
  /** The followed client rings' members: dialled to fetch their logs, and served by this node's bitswap gate. */
  readonly clientPeers: ClientRingPeers;
  private unserve: (() => void) | null = null;
  endpointPublished: Promise<boolean> = Promise.resolve(false);

  constructor(components: JsonRpcComponents, settings: RpcPluginSettings) {
    this.components = components;
    this.settings = settings;
    this.clientPeers = new ClientRingPeers({ chain: new ChainReads(components.chain.provider, settings.chainTimeoutMs), libp2p: components.helia.libp2p });
  }

  get url(): string {
    if (this.running === null) throw new Error("the JSON-RPC service is not running");
    return this.running.url;
  }

  get rpc(): RingRpcService | null {
    return this.running?.rpc ?? null;
  }

  /** Listens and writes `<dataDir>/jsonrpc.json`; does nothing when disabled. */
  async start(): Promise<void> {
    if (!this.settings.enabled || this.running !== null) return;
    this.stopping = new AbortController();
    const forwarder = this.settings.forwarder ?? (await this.trustedForwarder());
    const rpc = new RingRpcService(this.options(forwarder));
    const url = await rpc.start();
    const file = join(this.components.config.dataDir, JSONRPC_FILE);
    try {
      const info = { url, pid: process.pid, address: this.components.signer.address, forwarder, replicaRing: this.settings.replicaRing ?? null };
      await writePrivateFile(file, JSON.stringify(info, null, 2));
    } catch (error) {
      await rpc.close();
      throw error;
    }
    this.running = { rpc, url, file };
    const follower = rpc.follower;
    if (follower !== null) this.components.statusSections?.setReplica(() => follower.progress());
    this.unserve = this.components.bitswapPeers?.add((peer) => this.clientPeers.isPeer(peer)) ?? null;
    this.endpointPublished = this.publishEndpoint(url);
  }

  /** In the background: a replica node's URL goes on its ReplicaRing (endpointPublisher.ts). */
  private publishEndpoint(url: string): Promise<boolean> {
    const replicaRing = this.settings.replicaRing;
    if (replicaRing === undefined) return Promise.resolve(false);
    const { signer, chain, logger } = this.components;
    const published = { provider: chain.provider, wallet: signer.wallet.connect(chain.provider), self: signer.address, replicaRing, url: this.settings.publicUrl ?? url };
    return publishEndpoint({ ...published, logger: logger.child({ component: "endpoint" }), signal: this.stopping.signal });
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error("JSON-RPC service stopping"));
    const running = this.running;
    if (running === null) return;
    this.running = null;
    await this.endpointPublished;
    this.components.statusSections?.setReplica(null);
    this.unserve?.();
    this.unserve = null;
    await rm(running.file, { force: true });
    await running.rpc.close();
  }

  private options(forwarder: string): RingRpcOptions {
    const { signer, chain, helia, blocks, config, ownLog, logger } = this.components;
    const settings = this.settings;
    const options: RingRpcOptions = {
      provider: chain.provider,
      relayerWallet: signer.wallet.connect(chain.provider),
      self: signer.address,
      forwarder,
      log: ownLogWriter(ownLog, this.components.readKeys),
      blockstore: blocks,
      datastore: helia.datastore,
      dataDir: config.dataDir,
      ...(helia.pins === undefined ? {} : { pins: heliaPins(helia.pins, helia.datastore) }),
      // From the client ring's members (dialled from their node info on chain), over Helia's networked blockstore.
      fetchBlock: async (cid, signal, ring) => fetchBlock(helia, cid, { timeoutMs: config.fetchTimeoutMs, signal, providers: await this.clientPeers.connect(ring, signal) }),
      // Catch-up as members do it: the member's nodes streamed in ascending frames from the member itself.
      fetchRange: (range, signal) => this.rangeFrom(range, signal),
      host: settings.host,
      port: settings.port,
      logger: logger.child({ component: "jsonrpc" }),
    };
    if (this.components.logs !== undefined) options.ownRing = { ring: chain.ring, logs: this.components.logs };
    if (this.components.messages !== undefined) options.methods = this.components.messages.methods;
    if (this.components.messages?.wsMethods !== undefined) options.wsMethods = this.components.messages.wsMethods;
    for (const key of ["replicaRing", "maxBodyBytes", "relayWaitMs", "maxBatchSize", "followIntervalMs", "chainTimeoutMs", "wsLimits", "wsAllowedOrigins"] as const) {
      if (settings[key] !== undefined) (options as unknown as Record<string, unknown>)[key] = settings[key];
    }
    return options;
  }

  /** `range` over log-sync from its author's node (or, when the author runs none, another member's). */
  private async *rangeFrom(range: FollowRange, signal: AbortSignal): AsyncGenerator<ReceivedBlock[]> {
    const peers = await this.clientPeers.connect(range.ring, signal);
    const peer = peers.find((candidate) => isPeerOf(candidate, range.author)) ?? peers[0];
    if (peer === undefined) throw new Error(`no member of ${range.ring} runs a node to log-sync from`);
    const { libp2p } = this.components.helia;
    yield* fetchLogRange(libp2p, peer, range, { timeoutMs: this.components.config.fetchTimeoutMs, deadlineMs: RANGE_DEADLINE_MS, maxCount: MAX_RANGE_NODES, signal });
  }

  /** The forwarder the node's ring trusts, when the settings name none. */
  private async trustedForwarder(): Promise<string> {
    const { chain } = this.components;
    return new RingReads(chain.ring, chain.provider, this.settings.chainTimeoutMs).trustedForwarder({ signal: this.stopping.signal });
  }
}

function isPeerOf(peer: PeerId, address: string): boolean {
  try {
    return addressOfPeerId(peer) === getAddress(address);
  } catch {
    return false;
  }
}

/** Depth-0 pins in Helia (each node pinned on its own, a window in one batch, as the log pinner does); an existing pin, or a missing one on unpin, is no error. */
function heliaPins(pins: RingHelia["pins"], datastore: RingHelia["datastore"]): NonNullable<RingRpcOptions["pins"]> {
  return {
    async pin(cids) {
      await pinAtDepthZero(datastore, cids);
    },
    async unpin(cid) {
      if (await pins.isPinned(cid)) for await (const unpinned of pins.rm(cid)) void unpinned;
    },
  };
}
