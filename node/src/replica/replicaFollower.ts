/**
 * Every member of a replica ring replicates its client rings by following their heads on chain:
 * for each registered client ring and each of its members, the member's on-chain heads are
 * `logNodeHeads(member)` (set by FlushToRing or the member itself) and the head the ring's latest
 * round names (`ringNodeHead`'s ring log node: ringHeads.ts; members of a computing ring have only
 * this one). When one differs from the head in this node's replica index, walk back from it by CID
 * (bitswap from the client ring's members, dialled from their node info on chain:
 * clientRingPeers.ts; a timeout per block), verifying each node as it arrives, to the held head (or
 * seq 0): followWalk.ts. Bounded per pass in nodes and bytes; a longer walk resumes on the next
 * pass. Payloads stay as the members wrote them; this node holds no read key.
 */
import { getAddress } from "ethers";
import type { CID } from "multiformats/cid";
import { bytes32ToCid, cidToBytes32 } from "../core/cid.js";
import { ringDomain } from "../core/eip712.js";
import type { ChainReads } from "../chain/index.js";
import { LogVerificationError } from "../log/errors.js";
import type { BlockVerificationContext } from "../log/verify.js";
import type { ReplicaFollowStatus } from "../api/results.js";
import { syncRange, type RangeFetcher } from "./followRange.js";
import { walkBack, type PausedWalk } from "./followWalk.js";
import { RingHeads } from "./ringHeads.js";
import type { ReplicaHead, ReplicaStore } from "./replicaStore.js";

/** Fetches a block of client ring `ring` (from its members first). */
export type BlockFetcher = (cid: CID, signal: AbortSignal, ring: string) => Promise<Uint8Array>;

export interface ReplicaFollowerOptions {
  chain: Pick<ChainReads, "members" | "logNodeHead" | "chainId"> & Partial<Pick<ChainReads, "ringNodeHead">>;
  store: ReplicaStore;
  /** The client rings to follow (keys held here, and rings registered with this node's replica ring). */
  rings: () => Promise<string[]>;
  fetchBlock: BlockFetcher;
  /** Streams a member's nodes in ascending frames (log-sync): tried first, the walk over fetchBlock when it fails. */
  fetchRange?: RangeFetcher;
  /** Whether the ring's registration still runs (absent: always): a ring whose registration lapsed is not followed. */
  retained?: (ring: string, signal: AbortSignal) => Promise<boolean>;
  /** Told once when a followed ring's registration has lapsed (the store may drop it). */
  onLapsed?: (ring: string) => Promise<void>;
  /** Pause between passes. */
  intervalMs?: number;
  /** Per block fetch. */
  fetchTimeoutMs?: number;
  /** The most nodes fetched for one member in one pass (a longer walk resumes on the next pass). */
  maxNodesPerPass?: number;
  /** The most bytes fetched for one member in one pass. Default FOLLOW_PASS_MAX_BYTES. */
  maxBytesPerPass?: number;
  logger?: { warn(details: object, message: string): void; debug(details: object, message: string): void };
}

export interface MemberSync {
  ring: string;
  member: string;
  fetched: number;
  /** The on-chain head followed. */
  head: string;
  /** Whether the index now holds the log up to it (false: the walk resumes next pass). */
  complete: boolean;
}

/** How far this node follows one member of a client ring (the node's status shows it). */
export type FollowProgress = ReplicaFollowStatus;

/** Bytes one member's walk may fetch in one pass (16 MiB, the byte cap of the replicator's bitswap walk, BITSWAP_WALK_MAX_BYTES). */
export const FOLLOW_PASS_MAX_BYTES = 16 * 1024 * 1024;

/** Refused heads remembered (cleared when full: a refused head is then fetched once more). */
const MAX_REFUSED_HEADS = 10_000;

/** The distinct CIDs of `cids`, nulls left out. */
function unique(cids: ReadonlyArray<CID | null>): CID[] {
  const seen = new Map<string, CID>();
  for (const cid of cids) if (cid !== null) seen.set(cid.toString(), cid);
  return [...seen.values()];
}

export class ReplicaFollower {
  private readonly options: ReplicaFollowerOptions;
  private readonly extraRings = new Set<string>();
  /** ring/member -> where a walk stopped by its bounds resumes. */
  private readonly paused = new Map<string, PausedWalk[]>();
  /** ring/member -> an on-chain head that failed verification (not fetched again while the chain names it). */
  private readonly refused = new Set<string>();
  private readonly ringHeads = new RingHeads();
  private readonly progressByMember = new Map<string, FollowProgress>();
  /** Rings whose registration lapsed (not followed until renewed). */
  private readonly lapsedRings = new Set<string>();
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
      if (!(await this.stillRetained(ring, signal))) continue;
      const members = await this.options.chain.members(ring, { signal });
      const roundHeads = await this.roundHeads(ring, signal);
      for (const member of members) {
        if (signal.aborted) return synced;
        const targets = unique([await this.options.chain.logNodeHead(ring, member, { signal }).then(bytes32ToCid), roundHeads.get(getAddress(member)) ?? null]);
        let behind = 0;
        try {
          for (const target of targets) {
            const result = await this.syncMember(ring, member, signal, target);
            if (result !== null) synced.push(result);
            if (result?.complete === false || this.isRefused(ring, member, target)) behind++;
          }
          await this.record(ring, member, targets, behind === 0, null);
        } catch (error) {
          await this.record(ring, member, targets, false, error);
          this.options.logger?.warn({ err: error, ring, member }, "replica sync failed; retrying next pass");
        }
      }
    }
    return synced;
  }

  /** The rings not followed any more because their registration lapsed. */
  lapsed(): string[] {
    return [...this.lapsedRings];
  }

  /** False (and, the first time, the ring forgotten here and `onLapsed` told) when the ring's registration lapsed. */
  private async stillRetained(ring: string, signal: AbortSignal): Promise<boolean> {
    const key = getAddress(ring);
    if (this.options.retained === undefined || (await this.options.retained(key, signal))) {
      this.lapsedRings.delete(key);
      return true;
    }
    if (this.lapsedRings.has(key)) return false;
    this.lapsedRings.add(key);
    for (const extra of this.extraRings) if (getAddress(extra) === key) this.extraRings.delete(extra);
    for (const [row, progress] of this.progressByMember) if (progress.ring === key) this.progressByMember.delete(row);
    for (const walk of [...this.paused.keys()]) if (walk.startsWith(`${key}/`)) this.paused.delete(walk);
    this.options.logger?.warn({ ring: key }, "the ring's registration lapsed: no longer followed");
    await this.options.onLapsed?.(key).catch((error: unknown) => this.options.logger?.warn({ err: error, ring: key }, "dropping a lapsed ring failed"));
    return false;
  }

  /** How far every followed member is replicated here, as of the last pass. */
  progress(): FollowProgress[] {
    return [...this.progressByMember.values()];
  }

  /** The member heads the ring's latest round names (none when the ring head cannot be read now). */
  private async roundHeads(ring: string, signal: AbortSignal): Promise<Map<string, CID>> {
    const chain = this.options.chain;
    if (chain.ringNodeHead === undefined) return new Map();
    try {
      return await this.ringHeads.of({ ring, chain: { ringNodeHead: chain.ringNodeHead.bind(chain) }, fetch: (cid) => this.fetch(cid, ring, signal), signal });
    } catch (error) {
      this.options.logger?.warn({ err: error, ring }, "ring head not read; following logNodeHeads only this pass");
      return new Map();
    }
  }

  private fetch(cid: CID, ring: string, signal: AbortSignal): Promise<Uint8Array> {
    return this.options.fetchBlock(cid, AbortSignal.any([signal, AbortSignal.timeout(this.options.fetchTimeoutMs ?? 10_000)]), ring);
  }

  private async record(ring: string, member: string, onChain: readonly CID[], caughtUp: boolean, error: unknown): Promise<void> {
    const author = getAddress(member);
    const held = await this.options.store.head(ring, author);
    this.progressByMember.set(`${getAddress(ring)}/${author}`, {
      ring: getAddress(ring),
      member: author,
      onChain: onChain.map((cid) => cid.toString()),
      held: held === null ? null : { seq: held.seq, cid: held.cid.toString() },
      caughtUp,
      error: error === null ? null : error instanceof Error ? error.message : JSON.stringify(error),
      at: new Date().toISOString(),
    });
  }

  private isRefused(ring: string, member: string, target: CID): boolean {
    return this.refused.has(`${getAddress(ring)}/${getAddress(member)}@${target.toString()}`);
  }

  /**
   * Moves `member`'s log in `ring` towards its on-chain head by one bounded walk (followWalk.ts);
   * null when nothing moved. What is held is judged from the replica's index, never from blocks
   * present in the (shared) blockstore. A head that fails verification is not fetched again until
   * the chain names another; a walk stopped by its bounds resumes on the next pass.
   */
  async syncMember(ring: string, member: string, signal: AbortSignal, head?: CID | null): Promise<MemberSync | null> {
    const author = getAddress(member);
    const key = `${getAddress(ring)}/${author}`;
    const target = head === undefined ? bytes32ToCid(await this.options.chain.logNodeHead(ring, author, { signal })) : head;
    let held = await this.options.store.head(ring, author);
    if (target === null || held?.cid.equals(target) === true || this.isRefused(ring, author, target)) return null;
    const onChainHead = cidToBytes32(target);
    const chainId = await this.options.chain.chainId({ signal });
    const context = { domain: ringDomain(chainId, ring), isMember: (address: string) => address === author };
    if (this.options.fetchRange !== undefined && !this.paused.has(key)) {
      const ranged = await this.syncRangeOnce(ring, author, target, context, held, signal);
      if (ranged !== null && ranged.fetched > 0) return { ring, member: author, fetched: ranged.fetched, head: onChainHead, complete: ranged.complete };
      held = await this.options.store.head(ring, author);
    }
    const result = await walkBack({
      ring,
      author,
      target,
      context,
      held,
      paused: this.paused.get(key) ?? [],
      store: this.options.store,
      fetch: (cid) => this.fetch(cid, ring, signal),
      maxNodes: this.options.maxNodesPerPass ?? 10_000,
      maxBytes: this.options.maxBytesPerPass ?? FOLLOW_PASS_MAX_BYTES,
    }).catch((error: unknown) => {
      this.paused.delete(key);
      if (error instanceof LogVerificationError) {
        if (this.refused.size >= MAX_REFUSED_HEADS) this.refused.clear();
        this.refused.add(`${key}@${target.toString()}`);
      }
      throw error;
    });
    if (result.kind === "stale") return null;
    if (result.kind === "paused") {
      this.paused.set(key, result.paused);
      this.options.logger?.debug({ ring, member: author, fetched: result.fetched, lowest: result.paused[0]?.lowest.seq, err: result.stalled }, "replica walk paused; resuming next pass");
      return { ring, member: author, fetched: result.fetched, head: onChainHead, complete: false };
    }
    this.paused.delete(key);
    this.options.logger?.debug({ ring, member: author, fetched: result.fetched }, "replicated client log nodes");
    return { ring, member: author, fetched: result.fetched, head: onChainHead, complete: true };
  }

  /** One bounded pass of the range fast path (followRange.ts); null when it failed (the walk over bitswap follows). */
  private async syncRangeOnce(ring: string, author: string, target: CID, context: BlockVerificationContext, held: ReplicaHead | null, signal: AbortSignal) {
    const fetch = this.options.fetchRange as RangeFetcher;
    try {
      return await syncRange({ range: { ring, author, to: target }, context, held, store: this.options.store, fetch, maxNodes: this.options.maxNodesPerPass ?? 10_000, maxBytes: this.options.maxBytesPerPass ?? FOLLOW_PASS_MAX_BYTES, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      this.options.logger?.debug({ err: error, ring, member: author }, "range sync failed; walking the log over bitswap");
      return null;
    }
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
