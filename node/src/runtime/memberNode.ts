/**
 * A running member node, the composition root: it connects the chain view, starts Helia, opens
 * the log store, the own log, the pinner and replication, hands them to its services as
 * `MemberComponents` (each service takes only the parts it declares), and stops everything in
 * reverse order. Nothing else in the node holds the whole set.
 */
import { join } from "node:path";
import type { PeerId, Startable } from "@libp2p/interface";
import type { Logger } from "pino";
import { RingChainView } from "../chain/ringChainView.js";
import { readRingVisibility, writesInTheClear } from "../chain/ringVisibility.js";
import { bytes32ToCid } from "../core/cid.js";
import type { NodeConfig } from "../config/config.js";
import { addressOfPeerId, type RingIdentity } from "../identity/identity.js";
import { LogPinner } from "../log/logPinner.js";
import { OwnLog } from "../log/ownLog.js";
import { LogStore } from "../log/store.js";
import { ServedRings } from "../chain/servedRings.js";
import { BitswapPeers } from "../p2p/bitswapPeers.js";
import { createRingHelia } from "../p2p/createRingHelia.js";
import { PeerDialer } from "../p2p/peerDialer.js";
import { MembershipVotes } from "../membership/membershipVotes.js";
import { RingMessages } from "../messages/ringMessages.js";
import { readRingKeys, RING_KEYS_FILE } from "../replica/ringKeyFile.js";
import { restoreOwnLog } from "../restore/ownLogRestore.js";
import { RingReadKeys } from "../replica/readKeys.js";
import { Replicator } from "../replication/replicator.js";
import { collectStatus, StatusSections } from "../status/status.js";
import type { MemberComponents } from "./components.js";
import { MissingChainConfigError, NotAMemberError } from "./errors.js";
import { blsRoundHeads, HeadFollower } from "./headFollower.js";
import { NodeInfoPublisher } from "./nodeInfo.js";

/** Services by name, each made from the node's components (js-libp2p's `services` map). */
export type ServiceFactories<S extends Record<string, Startable>> = { [K in keyof S]: (components: MemberComponents) => S[K] };

export interface MemberNodeOptions<S extends Record<string, Startable>> {
  config: NodeConfig;
  identity: RingIdentity;
  logger: Logger;
  /** Started in this order after the node's own parts, stopped in reverse before them. */
  services?: ServiceFactories<S>;
  /** An already connected chain view (tests, tools); otherwise one is made from config.rpcUrl/ring. */
  chain?: RingChainView;
}

type Cleanup = () => Promise<void> | void;

export class MemberNode<S extends Record<string, Startable> = Record<string, never>> {
  private stopped = false;

  private constructor(
    readonly components: MemberComponents,
    readonly services: S,
    private readonly cleanups: Cleanup[],
  ) {}

  static async start<S extends Record<string, Startable> = Record<string, never>>(options: MemberNodeOptions<S>): Promise<MemberNode<S>> {
    const { config, identity, logger } = options;
    const cleanups: Cleanup[] = [];
    try {
      const chain = options.chain ?? (await connectChain(config, logger));
      if (options.chain === undefined) cleanups.push(() => chain.stop());
      if (!chain.isMember(identity.address)) {
        throw new NotAMemberError(`${identity.address} is not a member of ring ${chain.ring} on chain ${chain.chainId}; ask the ring's owner to admit it`);
      }
      const publicRing = writesInTheClear(chain.ring, await readRingVisibility(chain.provider, chain.ring, chain.chainId, config.factory), config.publicRing);
      if (publicRing) logger.info({ ring: chain.ring }, "the ring is public (created with --public): entries are written in the clear, no read keys");
      const isRingPeer = (peerId: PeerId) => {
        try {
          return chain.isMember(addressOfPeerId(peerId));
        } catch {
          return false; // not a secp256k1 avatar key: not a member
        }
      };
      const served = new ServedRings({ provider: chain.provider, ring: chain.ring, gate: config.rounds.gate, ...(config.factory === undefined ? {} : { factory: config.factory }) });
      const bitswapPeers = new BitswapPeers({ isRingMember: (address) => chain.isMember(address), served, logger: logger.child({ component: "bitswap-peers" }) });
      bitswapPeers.start();
      cleanups.push(() => bitswapPeers.stop());
      const { helia, blockstore, datastore } = await createRingHelia({ dataDir: config.dataDir, privateKey: identity.libp2pKey, listen: config.listen, relay: config.relay, isRingPeer, bitswapPeers: bitswapPeers.allowsSoon });
      cleanups.push(async () => {
        await helia.stop();
      });
      const logs = await LogStore.open(config.dataDir, blockstore, datastore);
      cleanups.push(() => logs.close());
      const pinner = new LogPinner(helia, logs, logger.child({ component: "pins" }));
      pinner.start();
      cleanups.push(() => pinner.stop());
      const ownLog = new OwnLog(logs, identity, chain.domain);
      const replicator = new Replicator({
        helia,
        store: logs,
        self: identity.address,
        domain: chain.domain,
        chainId: chain.chainId,
        membership: chain,
        logger: logger.child({ component: "replication" }),
        fetchTimeoutMs: config.fetchTimeoutMs,
        headExchangeMs: config.headExchangeMs,
        chainHead: (author) => bytes32ToCid(chain.logNodeHead(author)),
        // The replica nodes of the replica rings the ring is registered with catch up over log-sync too.
        servesLogSyncTo: bitswapPeers.allows,
      });
      await replicator.start();
      cleanups.push(() => replicator.stop());
      const dialer = memberDialer({ chain, signer: identity, streams: helia.libp2p, config, logger });
      dialer.start();
      cleanups.push(() => dialer.stop());
      // Before anything appends: the store must hold what the chain names of the own log (restored if not), or the start is refused.
      const replicaKey = (await readRingKeys(join(config.dataDir, RING_KEYS_FILE)).catch(() => null))?.replicaKey;
      const restoring = new AbortController();
      cleanups.push(() => restoring.abort(new Error("node stopping")));
      await restoreOwnLog(
        { self: identity.address, signer: identity.wallet, chain, logs, helia, served, isMemberPeer: isRingPeer, logger: logger.child({ component: "restore" }) },
        { restoreFrom: config.restoreFrom, fetchTimeoutMs: config.fetchTimeoutMs, ...(replicaKey === undefined ? {} : { replicaKey }) },
        restoring.signal,
      );
      const readKeys = new RingReadKeys({ logs, ownLog, chain, privateKey: identity.privateKey, logger: logger.child({ component: "read-keys" }) }, { dataDir: config.dataDir, publicRing });
      await readKeys.start();
      cleanups.push(() => readKeys.stop());
      const relayReservations = () => [...(helia.libp2p.services.relay?.reservations.keys() ?? [])].map((peer) => peer.toString());
      const statusSections = new StatusSections();
      const partial = { config, logger, signer: identity, chain, streams: helia.libp2p, helia, blocks: logs.blockstore, logs, ownLog, readKeys, replicator, pinner, relayReservations, statusSections, bitswapPeers };
      const membership = new MembershipVotes({ chain, logs, ownLog, replicator, signer: identity, logger: logger.child({ component: "membership" }) }, { submitDelayMs: config.membershipSubmitDelayMs });
      membership.start();
      cleanups.push(() => membership.stop());
      const messages = await RingMessages.open({ logs, ownLog, ring: chain.ring, readKeys });
      cleanups.push(() => messages.stop());
      const components: MemberComponents = { ...partial, membership, messages, status: () => collectStatus(partial) };

      const follower = new HeadFollower({ ...components, ...(chain.scheme() === "bls" ? { roundHeads: blsRoundHeads(chain.ring, logs, helia, config.fetchTimeoutMs) } : {}) });
      follower.start();
      cleanups.push(() => follower.stop());
      chain.start();
      if (config.publishNodeInfo) {
        const publisher = new NodeInfoPublisher(components);
        publisher.start();
        cleanups.push(() => publisher.stop());
      }

      const services: Partial<S> = {};
      const factories = (options.services ?? {}) as ServiceFactories<S>;
      for (const name of Object.keys(factories) as Array<keyof S & string>) {
        const service = factories[name](components);
        await service.start();
        services[name] = service;
        cleanups.push(() => service.stop());
        logger.info({ service: name }, "service started");
      }
      return new MemberNode(components, services as S, cleanups);
    } catch (error) {
      await runCleanups(cleanups, logger);
      throw error;
    }
  }

  /** This node's listen addresses, each with `/p2p/<PeerId>`. */
  multiaddrs(): string[] {
    return this.components.streams.getMultiaddrs().map((ma) => ma.toString());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await runCleanups(this.cleanups, this.components.logger);
  }
}

async function connectChain(config: NodeConfig, logger: Logger): Promise<RingChainView> {
  if (config.rpcUrl === undefined || config.ring === undefined) {
    throw new MissingChainConfigError("the ring's chain is not configured: set --rpc-url and --ring (or RING_NODE_RPC_URL and RING_NODE_RING, or config.json)");
  }
  return RingChainView.connect({ rpcUrl: config.rpcUrl, ring: config.ring, pollMs: config.chainPollMs, logger: logger.child({ component: "chain" }) });
}

/** Keeps a connection to every other member, from the chain's node info and the static --peer addresses. */
function memberDialer({ chain, signer, streams, config, logger }: Pick<MemberComponents, "chain" | "signer" | "streams" | "config" | "logger">): PeerDialer {
  return new PeerDialer(streams, {
    staticPeers: config.peers,
    source: {
      memberAddresses: () =>
        chain
          .members()
          .filter((member) => member !== signer.address)
          .map((member) => chain.nodeInfo(member) ?? { multiaddr: "", peerId: null }),
    },
    intervalMs: 3_000,
    timeoutMs: 5_000,
    logger: logger.child({ component: "dialer" }),
  });
}

/** Runs the cleanups newest first; a failing one is logged and the rest still run. */
async function runCleanups(cleanups: Cleanup[], logger: Logger): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      logger.warn({ err: error }, "error while stopping");
    }
  }
}
