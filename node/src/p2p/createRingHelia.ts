/**
 * Builds the node's Helia: blockstore and datastore (pins, fork evidence) in LevelDB on disk under
 * the data directory, libp2p's peer store in memory, routers off (no DHT, no delegated routing, no
 * HTTP gateways), libp2p over TCP with noise, yamux, identify, ping and gossipsub, and bitswap as
 * the only block broker. The libp2p key is the avatar key.
 *
 * Relays (the seed's STUN/TURN rings): every node can dial and listen through circuit relay v2
 * (`/p2p-circuit` in `listen` reserves a slot on a relay member), a node with `relay.offer` serves
 * as one, and DCUtR upgrades a relayed connection to a direct one where both sides can be dialled.
 * The connection gater keeps the relay to the ring: only members reserve, only member-to-member
 * circuits are opened.
 */
import { join } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { circuitRelayServer, circuitRelayTransport, type CircuitRelayService } from "@libp2p/circuit-relay-v2";
import { dcutr } from "@libp2p/dcutr";
import { withBitswap } from "@helia/bitswap";
import { withLibp2pLight, type HeliaWithLibp2p } from "@helia/libp2p";
import { gossipsub, type GossipSub } from "@libp2p/gossipsub";
import { identify, type Identify } from "@libp2p/identify";
import type { ConnectionGater, PeerId, PrivateKey } from "@libp2p/interface";
import { ping, type Ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { MemoryDatastore } from "datastore-core";
import { LevelDatastore } from "datastore-level";
import { createHeliaLight } from "helia";
import * as raw from "multiformats/codecs/raw";
import { LogBlockstore } from "./blockstore.js";
import { gateBitswap, type BitswapPeerFilter } from "./bitswapGate.js";
import { ensurePrivateDir } from "../config/privateDir.js";

export interface RingLibp2pServices {
  [key: string]: unknown;
  identify: Identify;
  ping: Ping;
  pubsub: GossipSub;
  /** Present when the node offers circuit relay (`relay.offer`). */
  relay?: CircuitRelayService;
}

export type RingHelia = HeliaWithLibp2p<RingLibp2pServices>;

/** Another process listens on the node's libp2p address. */
export class ListenAddressInUseError extends Error {
  override name = "ListenAddressInUseError";
}

export interface RelayOptions {
  offer: boolean;
  maxReservations: number;
  reservationTtlMs: number;
}

export interface RingHeliaOptions {
  dataDir: string;
  privateKey: PrivateKey;
  listen: string[];
  relay?: RelayOptions;
  /** Whether a peer is one of the ring's members (relay reservations and circuits are only theirs). */
  isRingPeer?: (peerId: PeerId) => boolean;
  /** Which peers bitswap serves (bitswapGate.ts); every peer when absent. */
  bitswapPeers?: BitswapPeerFilter;
}

/** Relay reservations and relayed circuits only for ring members (everything else as libp2p's default). */
export function ringRelayGater(isRingPeer: (peerId: PeerId) => boolean): ConnectionGater {
  return {
    denyInboundRelayReservation: (source) => !isRingPeer(source),
    denyOutboundRelayedConnection: (source, destination) => !isRingPeer(source) || !isRingPeer(destination),
    denyInboundRelayedConnection: (relay, remotePeer) => !isRingPeer(relay) || !isRingPeer(remotePeer),
  };
}

export interface RingHeliaParts {
  helia: RingHelia;
  /** The blockstore Helia serves from (LevelDB on disk), with the log store's plain reads and writes. */
  blockstore: LogBlockstore;
  datastore: LevelDatastore;
}

export async function createRingHelia(options: RingHeliaOptions): Promise<RingHeliaParts> {
  const blocksDir = join(options.dataDir, "blocks");
  // (Earlier versions kept a file datastore in "datastore"; LevelDB gets its own directory.)
  const datastoreDir = join(options.dataDir, "datastore-level");
  await ensurePrivateDir(options.dataDir);
  await ensurePrivateDir(blocksDir);
  await ensurePrivateDir(datastoreDir);
  const blockstore = new LogBlockstore(blocksDir);
  const datastore = new LevelDatastore(datastoreDir);
  await blockstore.open();
  await datastore.open();
  // Pinning walks blocks, so Helia must decode them: log nodes and job blocks are dag-cbor.
  const light = createHeliaLight({ blockstore, datastore, routers: [], blockBrokers: [], codecs: [dagCbor, raw] });
  const withNetwork = withLibp2pLight(light, {
    privateKey: options.privateKey,
    // The peer store lives in memory: members are found again from the chain and --peer at every
    // start, and libp2p reads it on every stream (on disk that was a file read per stream).
    datastore: new MemoryDatastore(),
    addresses: { listen: options.listen },
    transports: [tcp(), circuitRelayTransport()],
    ...(options.isRingPeer === undefined ? {} : { connectionGater: ringRelayGater(options.isRingPeer) }),
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    connectionManager: { maxConnections: 64 },
    services: {
      identify: identify(),
      ping: ping(),
      dcutr: dcutr(),
      ...(options.relay?.offer === true
        ? { relay: circuitRelayServer({ reservations: { maxReservations: options.relay.maxReservations, reservationTtl: options.relay.reservationTtlMs, applyDefaultLimit: false } }) }
        : {}),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        // No signatures on pubsub messages, message ids from their content (gossipsub's default for
        // StrictNoSign: sha256 of the data). The only topic is the ring's head announcements, and an
        // announcement is a claim, not data: its receiver fetches the named node and keeps it only if
        // the author's own signature over it verifies and the author is a member (log/verify.ts). A
        // forged or replayed announcement therefore costs one bounded fetch, as a forged head-exchange
        // answer does; and the peer that sent it is known anyway, from the noise-authenticated
        // connection it arrived on (gossipsub's propagationSource), which must be a member's. Signing
        // every announcement and checking every signature (noble secp256k1 in JavaScript) was the
        // largest CPU cost left in a member (bench:rounds profile, README).
        globalSignaturePolicy: "StrictNoSign",
        // Ring members are few and known: send every message to every subscribed member.
        floodPublish: true,
      }),
    },
  });
  const filter = options.bitswapPeers;
  // Between libp2p's mixin (which creates libp2p) and bitswap's (which registers its handler).
  if (filter !== undefined) withNetwork.addMixin({ name: "bitswap-gate", start: (started: RingHelia) => Promise.resolve(gateBitswap(started.libp2p, filter)) });
  const helia = withBitswap(withNetwork);
  try {
    await helia.start();
  } catch (error) {
    await helia.stop().catch(() => undefined);
    await Promise.allSettled([blockstore.close(), datastore.close()]);
    if (String((error as Error).message).includes("EADDRINUSE")) {
      throw new ListenAddressInUseError(`listen address ${options.listen.join(", ")} is in use: stop what listens there or give another --listen (env RING_NODE_LISTEN)`, { cause: error });
    }
    throw error;
  }
  return { helia, blockstore, datastore };
}
