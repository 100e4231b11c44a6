/**
 * How a claimed head is fetched from one peer. Short gaps are fetched by CID over bitswap, walking
 * `prev` links back to the held log; long ones (catch-up) with the ordered log-sync protocol. When
 * bitswap does not deliver in time, the same peer is asked over log-sync; when log-sync cannot
 * complete the range, the links are walked over bitswap. Every batch goes through `ingest`.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { Libp2p, PeerId } from "@libp2p/interface";
import { CID } from "multiformats/cid";
import type { Logger } from "pino";
import { LogReplicationIncompleteError, LogVerificationError } from "../log/errors.js";
import type { LogStore } from "../log/store.js";
import type { ReceivedBlock } from "../log/verify.js";
import type { RingHelia } from "../p2p/createRingHelia.js";
import { fetchBlock } from "./bitswapFetch.js";
import { fetchFirstContact, FIRST_CONTACT_MEMORY_BYTES } from "./firstContact.js";
import { UNKNOWN_SEQ } from "./claimQueue.js";
import { BlockFetchTimeoutError, LogSyncDeadlineError, LogSyncProtocolError } from "./errors.js";
import { isRefusal, type Ingest } from "./ingest.js";
import { fetchLogRange } from "./logSync.js";
import type { HeadClaim } from "./messages.js";

export interface FetchStrategyComponents {
  helia: Pick<RingHelia, "blockstore">;
  streams: Pick<Libp2p, "dialProtocol">;
  logs: Pick<LogStore, "length" | "holds" | "blockstore">;
  ingest: Pick<Ingest, "ingest" | "checkBlock">;
  /** Whether the claimed head is held now (a claim of UNKNOWN_SEQ is looked up by CID). */
  holdsClaim(claim: HeadClaim): Promise<boolean>;
  /** The author's head on chain (the chain view), the trust anchor of a first contact; null when it has none. */
  chainHead?(author: string): CID | null;
  logger: Logger;
}

export interface FetchStrategySettings {
  ring: string;
  fetchTimeoutMs: number;
  /** Gaps up to this many nodes are fetched block by block over bitswap; longer ones with log-sync. */
  bitswapGapLimit: number;
  /** Bytes one walk of `prev` links over bitswap may fetch. Default BITSWAP_WALK_MAX_BYTES. */
  bitswapWalkMaxBytes?: number;
  /** Overall deadline of one log-sync range. Default LOG_SYNC_DEADLINE_FACTOR x fetchTimeoutMs. */
  logSyncDeadlineMs?: number;
  /** Bytes of a first contact's range held in memory before the rest is quarantined. Default FIRST_CONTACT_MEMORY_BYTES. */
  firstContactMemoryBytes?: number;
  /** Aborts every fetch (the replicator stopping). */
  signal: AbortSignal;
}

/** A log-sync range may take this many fetch timeouts in all (5 min at the default 10 s): what arrived by then is kept. */
export const LOG_SYNC_DEADLINE_FACTOR = 30;

/** Most nodes one log-sync range of a head known only by CID (a chain claim, no seq) may announce. */
export const LOG_SYNC_MAX_UNKNOWN_RANGE = 1_000_000;

/** Bytes one bitswap walk may fetch (16 MiB: 64 nodes of 256 KiB); past it the walk ends incomplete and keeps nothing. */
export const BITSWAP_WALK_MAX_BYTES = 16 * 1024 * 1024;

export class FetchStrategy {
  constructor(
    private readonly components: FetchStrategyComponents,
    private readonly settings: FetchStrategySettings,
  ) {}

  /**
   * Fetches, verifies and keeps everything between the held head and the claim; returns nodes
   * kept. With nothing of the author held and a head of it on chain, the log up to that head comes
   * first (firstContact.ts): nothing is kept from a peer whose log does not lead to it.
   */
  async fetch(author: string, claim: HeadClaim, peer: PeerId): Promise<number> {
    const { logger, logs } = this.components;
    const anchor = logs.length(author) === 0 ? (this.components.chainHead?.(author) ?? null) : null;
    if (anchor !== null) {
      const kept = await this.firstContact(author, anchor, peer);
      if (logs.length(author) === 0 || (await this.components.holdsClaim(claim))) return kept;
      return kept + (await this.fetch(author, claim, peer));
    }
    const held = logs.length(author);
    const gap = claim.seq - held + 1;
    if (claim.seq >= held && gap <= this.settings.bitswapGapLimit) {
      try {
        return await this.byBitswap(author, claim, peer, gap);
      } catch (error) {
        if (!(error instanceof LogReplicationIncompleteError)) throw error;
        // Bitswap did not deliver in time (a busy peer's wantlist): ask the same peer over log-sync
        // before refusing; if that fails too, the bitswap error says what was missing.
        logger.debug({ author, peer: peer.toString(), err: error }, "bitswap incomplete, trying log-sync");
        return await this.byLogSync(author, claim, peer).catch((syncError: unknown) => {
          throw syncError instanceof LogReplicationIncompleteError ? error : syncError;
        });
      }
    }
    try {
      return await this.byLogSync(author, claim, peer);
    } catch (error) {
      if (!(error instanceof LogReplicationIncompleteError)) throw error;
      // The peer lacks ancestors (or the protocol failed): walk the links over bitswap from anyone.
      logger.debug({ author, peer: peer.toString(), err: error }, "log-sync incomplete, walking links over bitswap");
      return this.byBitswap(author, claim, peer, claim.seq === UNKNOWN_SEQ ? Number.MAX_SAFE_INTEGER : gap);
    }
  }

  /** The log up to the on-chain head `anchor` by log-sync, else walked back from it over bitswap (linked to it by construction). */
  private async firstContact(author: string, anchor: CID, peer: PeerId): Promise<number> {
    const { fetchTimeoutMs, signal, ring } = this.settings;
    const settings = {
      ring,
      fetchTimeoutMs,
      signal,
      deadlineMs: this.settings.logSyncDeadlineMs ?? fetchTimeoutMs * LOG_SYNC_DEADLINE_FACTOR,
      maxCount: LOG_SYNC_MAX_UNKNOWN_RANGE,
      memoryBytes: this.settings.firstContactMemoryBytes ?? FIRST_CONTACT_MEMORY_BYTES,
    };
    try {
      return await fetchFirstContact(this.components, settings, author, anchor, peer);
    } catch (error) {
      if (!(error instanceof LogReplicationIncompleteError)) throw error;
      this.components.logger.debug({ author, peer: peer.toString(), err: error }, "first contact by log-sync incomplete, walking back from the on-chain head over bitswap");
      return this.byBitswap(author, { author, seq: UNKNOWN_SEQ, cid: anchor }, peer, Number.MAX_SAFE_INTEGER);
    }
  }

  private async byLogSync(author: string, claim: HeadClaim, peer: PeerId): Promise<number> {
    const held = this.components.logs.length(author);
    const from = claim.seq < held ? claim.seq : Math.max(held - 1, 0);
    const request = { ring: this.settings.ring, author, from, to: claim.cid };
    const { fetchTimeoutMs, signal } = this.settings;
    // The header's count may not exceed the claimed range (from .. claim.seq).
    const maxCount = claim.seq === UNKNOWN_SEQ ? LOG_SYNC_MAX_UNKNOWN_RANGE : Math.max(0, claim.seq - from + 1);
    const deadlineMs = this.settings.logSyncDeadlineMs ?? fetchTimeoutMs * LOG_SYNC_DEADLINE_FACTOR;
    let kept = 0;
    let frames = 0;
    try {
      for await (const frame of fetchLogRange(this.components.streams, peer, request, { timeoutMs: fetchTimeoutMs, deadlineMs, maxCount, signal })) {
        frames++;
        kept += await this.components.ingest.ingest(author, frame, "log-sync", peer);
      }
    } catch (error) {
      // A bad verification, a peer breaking the protocol or the deadline: no fallback to walking links from it.
      if (error instanceof LogVerificationError || error instanceof LogSyncProtocolError || error instanceof LogSyncDeadlineError) throw error;
      throw new LogReplicationIncompleteError(`log-sync from ${peer.toString()} failed after ${frames} frames: ${(error as Error).message}`, claim.cid.toString());
    }
    if (!(await this.components.holdsClaim(claim))) {
      throw new LogReplicationIncompleteError(`log-sync from ${peer.toString()} ended before ${author}'s head ${claim.seq} (${claim.cid.toString()})`, claim.cid.toString());
    }
    return kept;
  }

  /**
   * Walks `prev` links back from the claimed head over bitswap until it reaches the held log, then
   * ingests the whole chain as one batch. Each block is checked as it arrives (signature, author,
   * the claim's seq for the head and one less for each ancestor; the link holds by construction),
   * so the walk stops at the first bad block; it fetches at most `bitswapWalkMaxBytes`. Blocks of
   * a walk that is not kept are deleted again.
   */
  private async byBitswap(author: string, claim: HeadClaim, peer: PeerId, maxNodes: number): Promise<number> {
    const { logs, ingest } = this.components;
    const held = logs.length(author);
    const maxBytes = this.settings.bitswapWalkMaxBytes ?? BITSWAP_WALK_MAX_BYTES;
    const head = claim.cid;
    const blocks: ReceivedBlock[] = [];
    const discard = () => this.forgetUnheld(author, blocks);
    let cursor: CID | undefined = head;
    let expectedSeq: number | undefined = claim.seq === UNKNOWN_SEQ ? undefined : claim.seq;
    let bytesFetched = 0;
    try {
      while (cursor !== undefined) {
        let bytes: Uint8Array;
        try {
          bytes = await fetchBlock(this.components.helia, cursor, { timeoutMs: this.settings.fetchTimeoutMs, provider: peer, signal: this.settings.signal });
        } catch (error) {
          if (error instanceof BlockFetchTimeoutError) throw new LogReplicationIncompleteError(`ancestor ${cursor.toString()} of ${head.toString()} could not be fetched: ${error.message}`, cursor.toString());
          throw error;
        }
        blocks.unshift({ cid: cursor, bytes });
        bytesFetched += bytes.length;
        if (bytesFetched > maxBytes) throw new LogReplicationIncompleteError(`the walk back from ${head.toString()} passed ${maxBytes} bytes before reaching the held log`, cursor.toString());
        const node = await ingest.checkBlock(author, { cid: cursor, bytes }, expectedSeq, "bitswap", peer, { discard });
        const seq = node.node.seq;
        const parent = node.node.prev[0];
        expectedSeq = seq - 1;
        if (seq === 0 || seq <= held - 1) break;
        if (parent !== undefined && logs.holds(author, seq - 1, parent)) break;
        if (blocks.length >= maxNodes) break;
        cursor = parent;
      }
      return await ingest.ingest(author, blocks, "bitswap", peer, { discard });
    } catch (error) {
      // A refused batch was discarded before its refusal was recorded.
      if (!isRefusal(error)) await discard();
      throw error;
    }
  }

  /** Deletes fetched blocks that are no member's held node (bitswap put them in the blockstore). */
  private async forgetUnheld(author: string, blocks: readonly ReceivedBlock[]): Promise<void> {
    for (const block of blocks) {
      const node = peek(block.bytes);
      if (node.seq !== undefined && (this.holds(author, node.seq, block.cid) || (node.author !== undefined && this.holds(node.author, node.seq, block.cid)))) continue;
      await this.components.logs.blockstore.delete(block.cid).catch(() => undefined);
    }
  }

  /** `LogStore.holds` for an author read from an unverified block (which may not be an address). */
  private holds(author: string, seq: number, cid: CID): boolean {
    try {
      return this.components.logs.holds(author, seq, cid);
    } catch {
      return false;
    }
  }
}

/** Fields of a not-yet-verified node, where it looks like one (used only to decide where to stop fetching). */
function peek(bytes: Uint8Array): { author?: string; seq?: number; parent?: CID } {
  let value: { author?: unknown; seq?: unknown; prev?: unknown };
  try {
    value = dagCbor.decode(bytes);
  } catch {
    return {};
  }
  if (value === null || typeof value !== "object") return {};
  const seq = typeof value.seq === "number" ? value.seq : undefined;
  const author = typeof value.author === "string" ? value.author : undefined;
  const parent = Array.isArray(value.prev) ? (CID.asCID(value.prev[0]) ?? undefined) : undefined;
  return { author, seq, parent };
}
