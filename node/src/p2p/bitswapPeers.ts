/**
 * Who a member's bitswap serves (bitswapGate.ts installs the check; issue 12 finding 8): its ring's
 * members, the members of the rings the chain says may have its blocks (chain/servedRings.ts:
 * replica rings its ring is registered with, rings downstream on its Gate), read again every
 * `refreshMs`, and whatever a service adds (a replica node: the members of the client rings it
 * follows). A peer is named by its avatar key (the libp2p key is the avatar key), so a PeerId
 * that is not a secp256k1 key is never served. The check is synchronous, on what was read last.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { PeerId } from "@libp2p/interface";
import type { Logger } from "pino";
import { addressOfPeerId } from "../identity/identity.js";

export type PeerAllowance = (peer: PeerId) => boolean;

export interface BitswapPeersOptions {
  /** Whether the account is a member of this node's ring now. */
  isRingMember(address: string): boolean;
  /** The other accounts served, read from chain (bounded by the signal). */
  served?: { members(signal: AbortSignal): Promise<Set<string>> };
  /** Default 5 s. */
  refreshMs?: number;
  /** Per read of the served accounts. Default 10 s. */
  readTimeoutMs?: number;
  /** The least time between the starts of reads caused by a peer not allowed yet (`allowsSoon`). Default 2 s. */
  minRereadMs?: number;
  logger: Pick<Logger, "debug" | "warn">;
}

export class BitswapPeers {
  private readonly options: BitswapPeersOptions;
  private served = new Set<string>();
  private readonly added = new Set<PeerAllowance>();
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private reading: Promise<void> | null = null;
  private nextRead: Promise<void> | null = null;
  /** When the last read started (ms). */
  private readAt = 0;

  constructor(options: BitswapPeersOptions) {
    this.options = options;
  }

  /** Whether bitswap serves `peer` (the filter handed to createRingHelia). */
  readonly allows = (peer: PeerId): boolean => {
    let address: string;
    try {
      address = addressOfPeerId(peer);
    } catch {
      return false;
    }
    if (this.options.isRingMember(address) || this.served.has(address)) return true;
    for (const allowance of this.added) if (allowance(peer)) return true;
    return false;
  };

  /**
   * `allows`, and for a peer not allowed by what was read last, once more after a read of the chain
   * that starts after it asked (at most one read per `minRereadMs`, shared by every waiting
   * stream): a replica ring registered a moment ago is served from its first request on. The
   * bitswap gate's filter; a stream waits at most `minRereadMs` and one read.
   */
  readonly allowsSoon = (peer: PeerId): boolean | Promise<boolean> => {
    if (this.allows(peer)) return true;
    if (this.options.served === undefined || this.stopping.signal.aborted) return false;
    return this.rereadSoon().then(
      () => this.allows(peer),
      () => false,
    );
  };

  /** One read that starts now or when `minRereadMs` has passed since the last one started. */
  private rereadSoon(): Promise<void> {
    this.nextRead ??= (async () => {
      try {
        await this.reading;
        const wait = this.readAt + (this.options.minRereadMs ?? 2_000) - Date.now();
        if (wait > 0) await delay(wait, undefined, { signal: this.stopping.signal });
        await this.refresh();
      } finally {
        this.nextRead = null;
      }
    })();
    return this.nextRead;
  }

  /** Serves the peers `allowance` admits too, until the returned function is called. */
  add(allowance: PeerAllowance): () => void {
    this.added.add(allowance);
    return () => this.added.delete(allowance);
  }

  start(): void {
    if (this.options.served === undefined) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 5_000);
  }

  stop(): void {
    this.stopping.abort(new Error("bitswap peers stopped"));
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Reads the served accounts again (one read at a time; a failed read keeps the last set). */
  refresh(): Promise<void> {
    const served = this.options.served;
    if (served === undefined) return Promise.resolve();
    if (this.reading === null) this.readAt = Date.now();
    this.reading ??= served
      .members(AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.options.readTimeoutMs ?? 10_000)]))
      .then((members) => {
        this.served = members;
      })
      .catch((error: unknown) => this.options.logger.debug({ err: error }, "served rings not read; keeping the last ones"))
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }
}
