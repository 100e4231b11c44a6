/**
 * Every member of a replica ring replicates its client rings by following their heads on chain:
 * for each registered client ring and each of its members, when `logNodeHeads(member)` moves past
 * what this node holds, fetch the missing nodes by CID (bitswap, with a timeout per block), walk
 * back to a node held already (or to seq 0), verify the segment like FlushToRing's check 4, and
 * keep it. Payloads stay as the client encrypted them.
 */
import type { CID } from "multiformats/cid";
import { bytes32ToCid, cidToBytes32, ZERO_BYTES32 } from "../core/cid.js";
import { decodeLogNode } from "../core/logNode.js";
import type { ChainReads } from "../chain/index.js";
import { verifyLogSegment } from "./logSegment.js";
import type { ReplicaStore } from "./replicaStore.js";

export type BlockFetcher = (cid: CID, signal: AbortSignal) => Promise<Uint8Array>;

export interface ReplicaFollowerOptions {
  chain: ChainReads;
  store: ReplicaStore;
  /** The client rings to follow (keys held here, and rings registered with this node's replica ring). */
  rings: () => Promise<string[]>;
  fetchBlock: BlockFetcher;
  /** Pause between passes. */
  intervalMs?: number;
  /** Per block fetch. */
  fetchTimeoutMs?: number;
  /** The most nodes walked for one member in one pass. */
  maxNodesPerPass?: number;
  logger?: { warn(details: object, message: string): void; debug(details: object, message: string): void };
}

export interface MemberSync {
  ring: string;
  member: string;
  fetched: number;
  head: string;
}

export class ReplicaFollower {
  private readonly options: ReplicaFollowerOptions;
  private readonly extraRings = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly stopping = new AbortController();

  constructor(options: ReplicaFollowerOptions) {
    this.options = options;
  }

  /** Follows `ring` from now on (also without an on-chain registration seen yet), and syncs soon. */
  follow(ring: string): void {
    this.extraRings.add(ring);
    this.kick();
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error("follower stopped"));
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass over every followed ring; returns what moved. */
  async syncOnce(signal: AbortSignal = this.stopping.signal): Promise<MemberSync[]> {
    const rings = new Set([...(await this.options.rings()), ...this.extraRings]);
    const synced: MemberSync[] = [];
    for (const ring of rings) {
      const members = await this.options.chain.members(ring, { signal });
      for (const member of members) {
        if (signal.aborted) return synced;
        try {
          const result = await this.syncMember(ring, member, signal);
          if (result !== null) synced.push(result);
        } catch (error) {
          this.options.logger?.warn({ err: error, ring, member }, "replica sync failed; retrying next pass");
        }
      }
    }
    return synced;
  }

  /** Brings `member`'s log in `ring` up to its on-chain head; null when nothing was missing. */
  async syncMember(ring: string, member: string, signal: AbortSignal): Promise<MemberSync | null> {
    const onChainHead = await this.options.chain.logNodeHead(ring, member, { signal });
    const target = bytes32ToCid(onChainHead);
    if (target === null || (await this.options.store.has(target))) return null;

    const serialized: Uint8Array[] = [];
    let anchor = ZERO_BYTES32;
    let cursor: CID | undefined = target;
    const limit = this.options.maxNodesPerPass ?? 10_000;
    while (cursor !== undefined) {
      if (await this.options.store.has(cursor)) {
        anchor = cidToBytes32(cursor);
        break;
      }
      if (serialized.length >= limit) throw new Error(`more than ${limit} nodes behind; continuing next pass`);
      const timeout = AbortSignal.timeout(this.options.fetchTimeoutMs ?? 10_000);
      const bytes = await this.options.fetchBlock(cursor, AbortSignal.any([signal, timeout]));
      serialized.push(bytes);
      cursor = (await decodeLogNode(bytes)).node.prev[0];
    }
    const chainId = await this.options.chain.chainId({ signal });
    const segment = await verifyLogSegment({ chainId, ring, author: member, onChainHead: anchor, serialized, lookup: (cid) => this.options.store.lookup(cid) });
    await this.options.store.storeVerified(ring, member, segment.nodes);
    this.options.logger?.debug({ ring, member, fetched: serialized.length }, "replicated client log nodes");
    return { ring, member, fetched: serialized.length, head: onChainHead };
  }

  private kick(): void {
    if (this.timer !== null && this.running === null) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  private schedule(delay: number): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.syncOnce()
        .catch((error: unknown) => this.options.logger?.warn({ err: error }, "replica pass failed"))
        .finally(() => {
          this.running = null;
          this.schedule(this.options.intervalMs ?? 2_000);
        });
    }, delay);
  }
}
