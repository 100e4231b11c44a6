/**
 * The peers a replica node fetches a client ring's logs from: the ring's members that run a node,
 * found from the node info they published on chain (`Ring.nodeInfo`: multiaddr and PeerId), and
 * dialled when not connected, each dial bounded by a timeout and the caller's AbortSignal. Light
 * members (no node info) are skipped: their logs arrive by FlushToRing. What was learnt is kept
 * for `refreshMs`, so a pass over many blocks reads the chain once. The PeerIds learnt are also
 * what this node's bitswap gate lets fetch from it (the client rings' members: `isPeer`).
 */
import type { Libp2p, PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { getAddress } from "ethers";
import type { ChainReads } from "../chain/index.js";
import { peerIdFromChainBytes } from "../chain/ringEvents.js";
import { dialableAddress } from "../p2p/peerDialer.js";

export interface ClientRingPeersOptions {
  chain: Pick<ChainReads, "members" | "nodeInfo">;
  libp2p: Pick<Libp2p, "dial" | "getConnections" | "peerId">;
  /** Per dial. Default 5 s. */
  dialTimeoutMs?: number;
  /** How long a ring's members and node info are used before they are read again. Default 10 s. */
  refreshMs?: number;
  /** The most members of one ring dialled (a ring's membership is bounded on chain; this bounds the work). Default 64. */
  maxPeersPerRing?: number;
  /** A peer whose dial failed is not dialled again for this long (a member that is down does not slow every fetch). Default 10 s. */
  redialMs?: number;
}

interface RingPeers {
  readAt: number;
  /** PeerId string -> dialable address. */
  peers: Map<string, ReturnType<typeof dialableAddress>>;
}

export class ClientRingPeers {
  private readonly options: ClientRingPeersOptions;
  private readonly rings = new Map<string, RingPeers>();
  private readonly reading = new Map<string, Promise<RingPeers>>();
  /** PeerId -> when its last dial failed. */
  private readonly failedAt = new Map<string, number>();

  constructor(options: ClientRingPeersOptions) {
    this.options = options;
  }

  /** Whether `peer` published its node info as a member of a client ring this node follows. */
  isPeer(peer: PeerId): boolean {
    const key = peer.toString();
    for (const ring of this.rings.values()) if (ring.peers.has(key)) return true;
    return false;
  }

  /** The ring's members' PeerIds, each dialled if not connected (a dial that fails leaves that peer out). */
  async connect(ring: string, signal: AbortSignal): Promise<PeerId[]> {
    const known = await this.peersOf(getAddress(ring), signal);
    const self = this.options.libp2p.peerId.toString();
    const connected = await Promise.all(
      [...known.peers].map(async ([key, address]) => {
        if (key === self || address === null) return null;
        const peer = peerIdFromString(key);
        if (this.options.libp2p.getConnections(peer).length > 0) return peer;
        if (Date.now() - (this.failedAt.get(key) ?? -Infinity) < (this.options.redialMs ?? 10_000)) return null;
        try {
          await this.options.libp2p.dial(address, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.dialTimeoutMs ?? 5_000)]) });
          this.failedAt.delete(key);
          return peer;
        } catch {
          if (this.failedAt.size >= 10_000) this.failedAt.clear();
          this.failedAt.set(key, Date.now());
          return null;
        }
      }),
    );
    return connected.filter((peer): peer is PeerId => peer !== null);
  }

  private async peersOf(ring: string, signal: AbortSignal): Promise<RingPeers> {
    const cached = this.rings.get(ring);
    if (cached !== undefined && Date.now() - cached.readAt < (this.options.refreshMs ?? 10_000)) return cached;
    let reading = this.reading.get(ring);
    if (reading === undefined) {
      reading = this.read(ring, signal).finally(() => this.reading.delete(ring));
      this.reading.set(ring, reading);
    }
    return reading;
  }

  private async read(ring: string, signal: AbortSignal): Promise<RingPeers> {
    const members = (await this.options.chain.members(ring, { signal })).slice(0, this.options.maxPeersPerRing ?? 64);
    const infos = await Promise.all(members.map((member) => this.options.chain.nodeInfo(ring, member, { signal })));
    const peers: RingPeers["peers"] = new Map();
    for (const info of infos) {
      const peerId = peerIdFromChainBytes(info.peerId);
      if (peerId === null || info.multiaddr === "") continue;
      peers.set(peerId, dialableAddress(info.multiaddr, peerId));
    }
    const read = { readAt: Date.now(), peers };
    this.rings.set(ring, read);
    return read;
  }
}
