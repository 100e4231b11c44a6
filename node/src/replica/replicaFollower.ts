/**
 * Every member of a replica ring replicates its client rings by following their heads on chain:
 * for each registered client ring and each of its members, when `logNodeHeads(member)` differs
 * from the head in this node's replica index, walk back from it by CID (bitswap, with a timeout per
 * block), verifying each node as it arrives, to the held head (or seq 0): followWalk.ts. Bounded
 * per pass in nodes and bytes; a longer walk resumes on the next pass. Payloads stay as the client
 * encrypted them.
 */
import { getAddress } from "ethers";
import type { CID } from "multiformats/cid";
import { bytes32ToCid } from "../core/cid.js";
import { ringDomain } from "../core/eip712.js";
import type { ChainReads } from "../chain/index.js";
import { LogVerificationError } from "../log/errors.js";
import { walkBack, type PausedWalk } from "./followWalk.js";
import type { ReplicaStore } from "./replicaStore.js";

export type BlockFetcher = (cid: CID, signal: AbortSignal) => Promise<Uint8Array>;

export interface ReplicaFollowerOptions {
  chain: Pick<ChainReads, "members" | "logNodeHead" | "chainId">;
  store: ReplicaStore;
  /** The client rings to follow (keys held here, and rings registered with this node's replica ring). */
  rings: () => Promise<string[]>;
  fetchBlock: BlockFetcher;
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

/** Bytes one member's walk may fetch in one pass (16 MiB, the byte cap of the replicator's bitswap walk, BITSWAP_WALK_MAX_BYTES). */
export const FOLLOW_PASS_MAX_BYTES = 16 * 1024 * 1024;

export class ReplicaFollower {
  private readonly options: ReplicaFollowerOptions;
  private readonly extraRings = new Set<string>();
  /** ring/member -> where a walk stopped by its bounds resumes. */
  private readonly paused = new Map<string, PausedWalk[]>();
  /** ring/member -> an on-chain head that failed verification (not fetched again while the chain names it). */
  private readonly refused = new Map<string, string>();
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

  /**
   * Moves `member`'s log in `ring` towards its on-chain head by one bounded walk (followWalk.ts);
   * null when nothing moved. What is held is judged from the replica's index, never from blocks
   * present in the (shared) blockstore. A head that fails verification is not fetched again until
   * the chain names another; a walk stopped by its bounds resumes on the next pass.
   */
  async syncMember(ring: string, member: string, signal: AbortSignal): Promise<MemberSync | null> {
    const author = getAddress(member);
    const key = `${getAddress(ring)}/${author}`;
    const onChainHead = await this.options.chain.logNodeHead(ring, author, { signal });
    const target = bytes32ToCid(onChainHead);
    const held = await this.options.store.head(ring, author);
    if (target === null || held?.cid.equals(target) === true || this.refused.get(key) === target.toString()) {
      this.paused.delete(key);
      return null;
    }
    const chainId = await this.options.chain.chainId({ signal });
    const result = await walkBack({
      ring,
      author,
      target,
      context: { domain: ringDomain(chainId, ring), isMember: (address) => address === author },
      held,
      paused: this.paused.get(key) ?? [],
      store: this.options.store,
      fetch: (cid) => this.options.fetchBlock(cid, AbortSignal.any([signal, AbortSignal.timeout(this.options.fetchTimeoutMs ?? 10_000)])),
      maxNodes: this.options.maxNodesPerPass ?? 10_000,
      maxBytes: this.options.maxBytesPerPass ?? FOLLOW_PASS_MAX_BYTES,
    }).catch((error: unknown) => {
      this.paused.delete(key);
      if (error instanceof LogVerificationError) this.refused.set(key, target.toString());
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
