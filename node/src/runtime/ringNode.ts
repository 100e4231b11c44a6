/**
 * A running ring node: the composition root that wires the chain view, Helia, the log store, the
 * own log, replication and peer dialing together, and stops them in reverse order. Other parts of
 * the node (rounds, JSON-RPC) receive a started RingNode and use its pieces.
 */
import { getAddress } from "ethers";
import type { Logger } from "pino";
import { bytes32ToCid } from "../core/cid.js";
import { RingChainView, type RingEventRecord } from "../chain/ringChainView.js";
import type { NodeConfig } from "../config/config.js";
import { peerIdBytes, type RingIdentity } from "../identity/identity.js";
import { LogPinner } from "../log/logPinner.js";
import { OwnLog } from "../log/ownLog.js";
import { LogStore } from "../log/store.js";
import { createRingHelia, type RingHelia } from "../p2p/createRingHelia.js";
import { PeerDialer } from "../p2p/peerDialer.js";
import { Replicator } from "../replication/replicator.js";
import { collectStatus, type NodeStatus } from "../status/status.js";

export class NotAMemberError extends Error {
  override name = "NotAMemberError";
}

export class MissingChainConfigError extends Error {
  override name = "MissingChainConfigError";
}

export interface RingNodeStartOptions {
  config: NodeConfig;
  identity: RingIdentity;
  logger: Logger;
  /** An already connected chain view (tests, tools); otherwise one is made from config.rpcUrl/ring. */
  chain?: RingChainView;
}

export class RingNode {
  private readonly cleanups: Array<() => Promise<void> | void> = [];
  private stopped = false;

  private constructor(
    readonly config: NodeConfig,
    readonly identity: RingIdentity,
    readonly logger: Logger,
    readonly chain: RingChainView,
    readonly helia: RingHelia,
    readonly store: LogStore,
    readonly log: OwnLog,
    readonly replicator: Replicator,
    /** Pins every member's log that this node keeps. */
    readonly pinner: LogPinner,
  ) {}

  static async start(options: RingNodeStartOptions): Promise<RingNode> {
    const { config, identity, logger } = options;
    const cleanups: Array<() => Promise<void> | void> = [];
    const undo = async () => {
      for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    };
    try {
      let chain = options.chain;
      if (chain === undefined) {
        if (config.rpcUrl === undefined || config.ring === undefined) {
          throw new MissingChainConfigError("the ring's chain is not configured: set --rpc-url and --ring (or RING_NODE_RPC_URL and RING_NODE_RING, or config.json)");
        }
        chain = await RingChainView.connect({ rpcUrl: config.rpcUrl, ring: config.ring, pollMs: config.chainPollMs, logger: logger.child({ component: "chain" }) });
        const view = chain;
        cleanups.push(() => view.stop());
      }
      if (!chain.isMember(identity.address)) {
        throw new NotAMemberError(`${identity.address} is not a member of ring ${chain.ring} on chain ${chain.chainId}; ask the ring's owner to admit it`);
      }
      const { helia, blockstore, datastore } = await createRingHelia({ dataDir: config.dataDir, privateKey: identity.libp2pKey, listen: config.listen });
      cleanups.push(async () => {
        await helia.stop();
      });
      const store = await LogStore.open(config.dataDir, blockstore, datastore);
      cleanups.push(() => store.close());
      const pinner = new LogPinner(helia.pins, store, logger.child({ component: "pins" }));
      pinner.start();
      cleanups.push(() => pinner.stop());
      const log = new OwnLog(store, identity, chain.domain);
      const replicator = new Replicator({
        helia,
        store,
        self: identity.address,
        domain: chain.domain,
        chainId: chain.chainId,
        membership: chain,
        logger: logger.child({ component: "replication" }),
        fetchTimeoutMs: config.fetchTimeoutMs,
        headExchangeMs: config.headExchangeMs,
      });
      await replicator.start();
      cleanups.push(() => replicator.stop());
      const node = new RingNode(config, identity, logger, chain, helia, store, log, replicator, pinner);
      node.cleanups.push(...cleanups);
      cleanups.length = 0;
      node.wire();
      return node;
    } catch (error) {
      await undo();
      throw error;
    }
  }

  /** This node's listen addresses, each with `/p2p/<PeerId>`. */
  multiaddrs(): string[] {
    return this.helia.libp2p.getMultiaddrs().map((ma) => ma.toString());
  }

  async status(): Promise<NodeStatus> {
    return collectStatus({ signer: this.identity, chain: this.chain, logs: this.store, replicator: this.replicator, pinner: this.pinner, streams: this.helia.libp2p });
  }

  /** Runs `cleanup` when the node stops (before its own parts stop). */
  onStop(cleanup: () => Promise<void> | void): void {
    this.cleanups.push(cleanup);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        this.logger.warn({ err: error }, "error while stopping");
      }
    }
  }

  private wire(): void {
    const { chain, replicator, log, logger } = this;
    const unsubscribeAppends = log.onAppended((_nodes, head) => void replicator.announce(head));
    this.cleanups.push(unsubscribeAppends);
    this.cleanups.push(replicator.onReplicated((head, count) => logger.debug({ author: head.author, seq: head.seq, count }, "log replicated")));
    const unsubscribeChain = chain.onEvent((event) => this.onChainEvent(event));
    this.cleanups.push(unsubscribeChain);
    for (const member of chain.members()) this.wantChainHead(member, chain.logNodeHead(member));
    const dialer = new PeerDialer(this.helia.libp2p, {
      staticPeers: this.config.peers,
      source: {
        memberAddresses: () =>
          chain
            .members()
            .filter((member) => member !== this.identity.address)
            .map((member) => chain.nodeInfo(member) ?? { multiaddr: "", peerId: null }),
      },
      intervalMs: 3_000,
      timeoutMs: 5_000,
      logger: logger.child({ component: "dialer" }),
    });
    dialer.start();
    this.cleanups.push(() => dialer.stop());
    chain.start();
    if (this.config.publishNodeInfo) void this.publishNodeInfo();
  }

  private onChainEvent(event: RingEventRecord): void {
    switch (event.type) {
      case "LogHeadUpdated":
        this.wantChainHead(event.member, event.head);
        break;
      case "ForkProven":
        this.logger.warn({ member: event.member, seq: event.seq.toString() }, "fork proven on chain");
        break;
      case "MemberEntered":
      case "MemberExited":
        this.logger.info({ member: event.member, event: event.type }, "membership changed");
        break;
      default:
        break;
    }
  }

  private wantChainHead(member: string, head: string): void {
    const cid = bytes32ToCid(head);
    if (cid !== null && getAddress(member) !== this.identity.address) this.replicator.want(member, cid, "chain");
  }

  /** Publishes the first listen address and the PeerId with Ring.setNodeInfo when the chain has others. */
  private async publishNodeInfo(): Promise<void> {
    const address = this.multiaddrs()[0];
    if (address === undefined) return;
    const current = this.chain.nodeInfo(this.identity.address);
    if (current?.multiaddr === address && current.peerId === this.identity.peerId.toString()) return;
    try {
      const hash = await this.chain.setNodeInfo(this.identity.wallet.connect(this.chain.provider), address, peerIdBytes(this.identity.peerId));
      this.logger.info({ multiaddr: address, tx: hash }, "node info published on chain");
    } catch (error) {
      this.logger.warn({ err: error }, "could not publish node info on chain (is the member's account funded?)");
    }
  }
}
