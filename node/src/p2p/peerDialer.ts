/**
 * Keeps this node connected to the ring. libp2p does the redialling: every member (its multiaddrs
 * published on chain, Ring.nodeInfo) and every `--peer` address with a PeerId is put in the peer
 * store with a keep-alive tag, so libp2p's reconnect queue redials it when it drops (and its
 * connection pruner spares it). What libp2p cannot know is left here: learning the addresses, a
 * first dial to peers not connected yet (they never dropped, so nothing redials them), a dial
 * again after libp2p gave up reconnecting, and untagging peers that are no longer targets.
 */
import { KEEP_ALIVE, type Libp2p, type PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import type { Logger } from "pino";

const P2P = 421;
/** Our own keep-alive tag (libp2p redials any tag starting with KEEP_ALIVE; a suffix keeps others' tags apart). */
export const RING_KEEP_ALIVE = `${KEEP_ALIVE}-rings`;

export interface DialTargetSource {
  /** Members' published multiaddrs (with their PeerIds), excluding this node. */
  memberAddresses(): Array<{ multiaddr: string; peerId: string | null }>;
}

export interface PeerDialerOptions {
  staticPeers: string[];
  source?: DialTargetSource;
  /** How often targets are looked at again (new members, changed addresses, peers not connected). */
  intervalMs: number;
  timeoutMs: number;
  logger: Logger;
}

/** The multiaddr with its `/p2p/<PeerId>` part, added from `peerId` when missing. */
export function dialableAddress(address: string, peerId: string | null): Multiaddr | null {
  try {
    const ma = multiaddr(address);
    const hasPeer = ma.getComponents().some((component) => component.code === P2P);
    if (hasPeer || peerId === null) return ma;
    return ma.encapsulate(`/p2p/${peerId}`);
  } catch {
    return null;
  }
}

export function peerIdOfAddress(ma: Multiaddr): string | null {
  return ma.getComponents().find((component) => component.code === P2P)?.value ?? null;
}

export class PeerDialer {
  private timer: NodeJS.Timeout | undefined;
  private readonly dialing = new Set<string>();
  /** Addresses without a PeerId cannot be checked for a live connection (nor tagged): dialled once. */
  private readonly dialedAnonymous = new Set<string>();
  /** Peers this dialer tagged keep-alive, with the addresses it gave the peer store. */
  private readonly tagged = new Map<string, string>();
  /** libp2p drops the tag of a peer it could not reconnect: tag it again at the next look. */
  private readonly onReconnectFailure = (event: CustomEvent<PeerId>) => this.tagged.delete(event.detail.toString());

  constructor(
    private readonly libp2p: Pick<Libp2p, "peerId" | "peerStore" | "dial" | "getConnections" | "addEventListener" | "removeEventListener">,
    private readonly options: PeerDialerOptions,
  ) {}

  start(): void {
    this.libp2p.addEventListener("peer:reconnect-failure", this.onReconnectFailure);
    void this.dialAll();
    this.timer = setInterval(() => void this.dialAll(), this.options.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.libp2p.removeEventListener("peer:reconnect-failure", this.onReconnectFailure);
  }

  /** Tags every target keep-alive and dials those that have no open connection. */
  async dialAll(): Promise<void> {
    const targets = this.targets();
    await this.tagKeepAlive(targets);
    await Promise.allSettled(targets.map((ma) => this.dialIfUnconnected(ma)));
  }

  private targets(): Multiaddr[] {
    const targets: Multiaddr[] = [];
    for (const peer of this.options.staticPeers) {
      const ma = dialableAddress(peer, null);
      if (ma !== null) targets.push(ma);
      else this.options.logger.warn({ peer }, "not a multiaddr: ignored");
    }
    for (const info of this.options.source?.memberAddresses() ?? []) {
      if (info.multiaddr === "") continue;
      const ma = dialableAddress(info.multiaddr, info.peerId);
      if (ma !== null) targets.push(ma);
    }
    const self = this.libp2p.peerId.toString();
    return targets.filter((ma) => peerIdOfAddress(ma) !== self);
  }

  /** Puts each target peer in the peer store with its addresses and the keep-alive tag; untags former targets. */
  private async tagKeepAlive(targets: readonly Multiaddr[]): Promise<void> {
    const addresses = new Map<string, Multiaddr[]>();
    for (const ma of targets) {
      const peer = peerIdOfAddress(ma);
      if (peer !== null) addresses.set(peer, [...(addresses.get(peer) ?? []), ma.decapsulateCode(P2P)]);
    }
    const updates: Array<Promise<unknown>> = [];
    for (const [peer, multiaddrs] of addresses) {
      const key = multiaddrs.map((ma) => ma.toString()).join(" ");
      if (this.tagged.get(peer) === key) continue;
      this.tagged.set(peer, key);
      updates.push(this.mergePeer(peer, { multiaddrs, tags: { [RING_KEEP_ALIVE]: {} } }));
    }
    for (const peer of [...this.tagged.keys()].filter((p) => !addresses.has(p))) {
      this.tagged.delete(peer);
      updates.push(this.mergePeer(peer, { tags: { [RING_KEEP_ALIVE]: undefined } }));
    }
    await Promise.allSettled(updates);
  }

  private async mergePeer(peer: string, data: Parameters<Libp2p["peerStore"]["merge"]>[1]): Promise<void> {
    try {
      await this.libp2p.peerStore.merge(peerIdFromString(peer), data);
    } catch (error) {
      this.tagged.delete(peer);
      this.options.logger.debug({ err: error, peer }, "peer store not updated");
    }
  }

  private async dialIfUnconnected(ma: Multiaddr): Promise<void> {
    const peer = peerIdOfAddress(ma);
    const key = peer ?? ma.toString();
    if (this.dialing.has(key)) return;
    if (peer === null) {
      if (this.dialedAnonymous.has(key)) return;
      this.dialedAnonymous.add(key);
    }
    if (peer !== null && this.libp2p.getConnections(peerIdFromString(peer)).length > 0) return;
    this.dialing.add(key);
    try {
      await this.libp2p.dial(ma, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      this.options.logger.info({ peer: key, address: ma.toString() }, "connected");
    } catch (error) {
      this.options.logger.debug({ err: error, address: ma.toString() }, "dial failed");
    } finally {
      this.dialing.delete(key);
    }
  }
}
