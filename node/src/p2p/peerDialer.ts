/**
 * Keeps this node connected to the ring: dials the members' multiaddrs published on chain
 * (Ring.nodeInfo) and the `--peer` addresses given locally, and redials them when they drop.
 */
import type { Libp2p } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import type { Logger } from "pino";

const P2P = 421;

export interface DialTargetSource {
  /** Members' published multiaddrs (with their PeerIds), excluding this node. */
  memberAddresses(): Array<{ multiaddr: string; peerId: string | null }>;
}

export interface PeerDialerOptions {
  staticPeers: string[];
  source?: DialTargetSource;
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
  /** Addresses without a PeerId cannot be checked for a live connection: dialled once. */
  private readonly dialedAnonymous = new Set<string>();

  constructor(
    private readonly libp2p: Libp2p,
    private readonly options: PeerDialerOptions,
  ) {}

  start(): void {
    void this.dialAll();
    this.timer = setInterval(() => void this.dialAll(), this.options.intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Dials every target that has no open connection. */
  async dialAll(): Promise<void> {
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
    await Promise.allSettled(
      targets.map(async (ma) => {
        const peer = peerIdOfAddress(ma);
        if (peer === self) return;
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
      }),
    );
  }
}
