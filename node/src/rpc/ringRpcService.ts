/**
 * The ring node's JSON-RPC service, assembled: the methods `FlushToRing`, `ReplicateRing`,
 * `GetFlushStatus` and `GetReplicaLog` over HTTP, the batching meta-transaction relayer, the
 * replica key store and replica store, and the follower that keeps every registered client ring
 * replicated. The node passes in what it already has (chain provider, relayer wallet, its own log,
 * its Helia stores); everything here is started by `start()` and stopped by `close()`. The same
 * methods, and the subscriptions (`wsMethods`), are served over WebSocket on the same port.
 */
import { join } from "node:path";
import type { Provider, Signer } from "ethers";
import type { CID } from "multiformats/cid";
import type { Datastore } from "interface-datastore";
import type { Blockstore } from "interface-blockstore";
import { RPC_METHODS } from "../api/methods.js";
import { getFlushStatusParamsSchema } from "../api/schemas.js";
import { RpcDispatcher, type RpcErrorLogger, type RpcMethod } from "../jsonrpc/dispatcher.js";
import { JsonRpcHttpServer } from "../jsonrpc/httpServer.js";
import { JsonRpcWsServer, type WsLimits } from "../jsonrpc/wsServer.js";
import { parseParams } from "../jsonrpc/params.js";
import { Forwarder, replicaRingInterface } from "../chain/index.js";
import { MetaTxRelayer } from "../relay/metaTxRelayer.js";
import { simulateForwardedCall } from "../relay/forwardedCall.js";
import { ChainReads } from "../chain/index.js";
import { ReplicaFollower, type BlockFetcher } from "../replica/replicaFollower.js";
import type { RangeFetcher } from "../replica/followRange.js";
import { ReplicaKeyStore } from "../replica/replicaKeyStore.js";
import { ReplicaStore } from "../replica/replicaStore.js";
import { AcceptedFlushes } from "./flush/acceptedFlushes.js";
import { FlushFactReader } from "./flush/facts.js";
import { FlushStatusStore } from "./flushStatusStore.js";
import { FlushToRingMethod } from "./methods/flushToRing.js";
import { GetReplicaLogMethod } from "./methods/getReplicaLog.js";
import { ReplicateRingMethod } from "./methods/replicateRing.js";
import { ringLogPages, type OwnRingLogs } from "./methods/ringLogPages.js";
import type { NodeLogWriter } from "./nodeLog.js";

export interface RingRpcLogger extends RpcErrorLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface RingRpcOptions {
  provider: Provider;
  /** Pays relayed meta-transactions' gas (the node's avatar wallet, connected to `provider`). */
  relayerWallet: Signer;
  /** This node's avatar address. */
  self: string;
  /** The ERC2771Forwarder the rings trust. */
  forwarder: string;
  /** The replica ring (ReplicaRing contract) this node serves, if any: its registrations are followed. */
  replicaRing?: string;
  log: NodeLogWriter;
  /** The node's own ring and its member logs: GetReplicaLog serves them to the ring's members too (methods/ringLogPages.ts). */
  ownRing?: OwnRingLogs;
  /** Local blocks (the node's Helia blockstore without network fallback). */
  blockstore: Pick<Blockstore, "get" | "put" | "has" | "delete">;
  datastore: Pick<Datastore, "get" | "put" | "has" | "query">;
  /** Pins the replicated client logs (Helia's pins, depth 0 each, a window at a time); absent: not pinned. */
  pins?: { pin(cids: readonly CID[]): Promise<void>; unpin(cid: CID): Promise<void> };
  /** Fetches a block from the network (Helia/bitswap), for following client rings. */
  fetchBlock?: BlockFetcher;
  /** Streams a client member's log range (log-sync): the follower's fast path, before the walk over fetchBlock. */
  fetchRange?: RangeFetcher;
  /** Where flush statuses are kept across restarts (JSON lines); memory only without it. */
  dataDir?: string;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  relayWaitMs?: number;
  maxBatchSize?: number;
  followIntervalMs?: number;
  chainTimeoutMs?: number;
  /** Further methods other modules serve on this endpoint (the messages' PostMessage, ReadMessages, GetMessage). */
  methods?: Record<string, RpcMethod>;
  /** Methods served over WebSocket only, besides all the above (the messages' subscriptions). */
  wsMethods?: Record<string, RpcMethod>;
  wsLimits?: Partial<WsLimits>;
  /** Page origins allowed to open a WebSocket besides the endpoint's own. */
  wsAllowedOrigins?: readonly string[];
  logger?: RingRpcLogger;
}

export class RingRpcService {
  readonly http: JsonRpcHttpServer;
  readonly ws: JsonRpcWsServer;
  readonly relayer: MetaTxRelayer;
  readonly replicaKeys: ReplicaKeyStore;
  readonly replicaStore: ReplicaStore;
  readonly statuses: FlushStatusStore;
  readonly flushes: AcceptedFlushes;
  readonly flush: FlushToRingMethod;
  readonly replicate: ReplicateRingMethod;
  readonly follower: ReplicaFollower | null;
  private readonly options: RingRpcOptions;
  private readonly stopping = new AbortController();

  constructor(options: RingRpcOptions) {
    this.options = options;
    const chain = new ChainReads(options.provider, options.chainTimeoutMs);
    const forwarder = new Forwarder(options.forwarder, options.provider, options.chainTimeoutMs);
    const relayerOptions: ConstructorParameters<typeof MetaTxRelayer>[0] = { forwarder: options.forwarder, wallet: options.relayerWallet };
    if (options.maxBatchSize !== undefined) relayerOptions.maxBatchSize = options.maxBatchSize;
    this.relayer = new MetaTxRelayer(relayerOptions);
    this.replicaKeys = new ReplicaKeyStore(options.datastore);
    const pins = options.pins === undefined ? {} : { pin: (cids: readonly CID[]) => options.pins?.pin(cids) ?? Promise.resolve(), unpin: (cid: CID) => options.pins?.unpin(cid) ?? Promise.resolve() };
    this.replicaStore = new ReplicaStore({ blockstore: options.blockstore, ...pins, ...(options.dataDir === undefined ? {} : { headsPath: join(options.dataDir, "replica", "heads.jsonl") }) });
    this.statuses = new FlushStatusStore(options.dataDir === undefined ? undefined : join(options.dataDir, "rpc", "flushes.jsonl"));

    this.follower =
      options.fetchBlock === undefined
        ? null
        : new ReplicaFollower({
            chain,
            store: this.replicaStore,
            fetchBlock: options.fetchBlock,
            ...(options.fetchRange === undefined ? {} : { fetchRange: options.fetchRange }),
            intervalMs: options.followIntervalMs ?? 2_000,
            rings: async () => {
              const held = (await this.replicaKeys.list()).map((registration) => registration.ring);
              const registered = options.replicaRing === undefined ? [] : await chain.registrations(options.replicaRing);
              return [...held, ...registered];
            },
            // Retention: a ring is followed while its paid registration with this replica ring runs.
            ...(options.replicaRing === undefined ? {} : { retained: (ring: string, signal: AbortSignal) => chain.isRegistered(options.replicaRing as string, ring, { signal }) }),
            onLapsed: async (ring) => {
              const unpinned = await this.replicaStore.drop(ring);
              options.logger?.info({ ring, unpinned }, "lapsed ring dropped: its logs are unpinned");
            },
            ...(options.logger === undefined ? {} : { logger: options.logger }),
          });

    const facts = new FlushFactReader({ chain, forwarder, replicaKeys: this.replicaKeys, replicaStore: this.replicaStore, statuses: this.statuses });
    this.flushes = new AcceptedFlushes({
      relayer: this.relayer,
      forwarder,
      replicaStore: this.replicaStore,
      statuses: this.statuses,
      log: options.log,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    this.flush = new FlushToRingMethod({
      facts,
      flushes: this.flushes,
      statuses: this.statuses,
      forwarder: forwarder.address,
      ...(options.relayWaitMs === undefined ? {} : { relayWaitMs: options.relayWaitMs }),
    });
    this.replicate = new ReplicateRingMethod({
      chain,
      forwarder,
      replicaKeys: this.replicaKeys,
      log: options.log,
      relayer: this.relayer,
      simulate: (mtx, signal) => simulateForwardedCall(options.provider, forwarder.address, mtx, replicaRingInterface, AbortSignal.any([signal, AbortSignal.timeout(options.chainTimeoutMs ?? 10_000)])),
      self: options.self,
      onRegistered: (ring) => this.follower?.follow(ring),
    });
    const replicaLog = new GetReplicaLogMethod({ store: ringLogPages(this.replicaStore, options.ownRing), replicaKeys: this.replicaKeys, chain });

    const methods: Record<string, RpcMethod> = {
      [RPC_METHODS.FlushToRing]: (params, context) => this.flush.handle(params, context),
      [RPC_METHODS.ReplicateRing]: (params, context) => this.replicate.handle(params, context),
      [RPC_METHODS.GetFlushStatus]: (params) => Promise.resolve(this.flushes.status(parseParams(getFlushStatusParamsSchema, params).id)),
      [RPC_METHODS.GetReplicaLog]: (params, context) => replicaLog.handle(params, context),
      ...options.methods,
    };
    const dispatcher = new RpcDispatcher(methods, options.logger);
    const httpOptions: ConstructorParameters<typeof JsonRpcHttpServer>[0] = {
      dispatcher,
      health: () => ({ relayQueue: this.relayer.queued, relayTransactions: this.relayer.stats.transactions, relayedRequests: this.relayer.stats.requests }),
    };
    if (options.host !== undefined) httpOptions.host = options.host;
    if (options.port !== undefined) httpOptions.port = options.port;
    if (options.maxBodyBytes !== undefined) httpOptions.maxBodyBytes = options.maxBodyBytes;
    this.http = new JsonRpcHttpServer(httpOptions);
    this.ws = new JsonRpcWsServer({
      dispatcher: new RpcDispatcher({ ...methods, ...options.wsMethods }, options.logger),
      ...(options.wsLimits === undefined ? {} : { limits: options.wsLimits }),
      ...(options.wsAllowedOrigins === undefined ? {} : { allowedOrigins: options.wsAllowedOrigins }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    this.http.onUpgrade((request, socket, head, hosts) => this.ws.handleUpgrade(request, socket, head, hosts));
  }

  /** Loads kept statuses, finishes interrupted relays, starts following and listening; returns the URL. */
  async start(): Promise<string> {
    await this.statuses.load();
    await this.replicaStore.load();
    const resumed = await this.flushes.resumeUnfinished(this.stopping.signal);
    if (resumed > 0) this.options.logger?.info({ resumed }, "resuming flushes received before the restart");
    this.follower?.start();
    const url = await this.http.listen();
    this.options.logger?.info({ url }, "JSON-RPC listening");
    return url;
  }

  async close(): Promise<void> {
    this.stopping.abort(new Error("JSON-RPC service stopping"));
    await this.ws.close();
    await this.http.close();
    await this.follower?.stop();
    await this.flushes.settled();
    await this.replicate.settled();
    await this.relayer.close();
    await this.statuses.close();
    await this.replicaStore.close();
  }
}
