/**
 * Keeps every member's log on this node. Heads arrive from pubsub announcements, from direct head
 * exchange with connected members and from the chain; for each author one worker at a time fetches
 * what is missing from a peer that claimed it, verifies it (log/verify.ts) and keeps it, or refuses
 * the whole batch and records why. Short gaps are fetched by CID over bitswap from the announcer;
 * long ones (catch-up) with the ordered log-sync protocol, falling back to bitswap from any member.
 */
import type { Message } from "@libp2p/gossipsub";
import type { IdentifyResult, Libp2p, PeerId } from "@libp2p/interface";
import type { TypedDataDomain } from "ethers";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import type { Logger } from "pino";
import type { Membership } from "../chain/membership.js";
import { addressOfPeerId } from "../identity/identity.js";
import { ForkDetectedError, LogReplicationIncompleteError, LogVerificationError } from "../log/errors.js";
import type { ForkEvidence } from "../log/forkEvidence.js";
import type { LogHead, LogStore } from "../log/store.js";
import { verifyBatch, type ReceivedBlock, type VerificationContext } from "../log/verify.js";
import type { RingHelia } from "../p2p/createRingHelia.js";
import { BlockFetchTimeoutError, fetchBlock } from "./bitswapFetch.js";
import { exchangeHeads, headExchangeHandler, type HeadExchangeOptions } from "./headExchange.js";
import { fetchLogRange, logSyncHandler } from "./logSync.js";
import { decodeAnnouncement, encodeAnnouncement, type HeadClaim } from "./messages.js";
import { HEADS_PROTOCOL, headsTopic, LOG_SYNC_PROTOCOL } from "./protocols.js";
import { connectedPeers } from "../p2p/connectedPeers.js";

export interface ReplicatorOptions {
  helia: RingHelia;
  store: LogStore;
  /** This node's own address: its log is written only by OwnLog, never replicated in. */
  self: string;
  domain: TypedDataDomain;
  chainId: bigint;
  membership: Membership;
  logger: Logger;
  fetchTimeoutMs: number;
  headExchangeMs: number;
  /** Gaps up to this many nodes are fetched block by block over bitswap; longer ones with log-sync. */
  bitswapGapLimit?: number;
}

export type ClaimSource = "pubsub" | "exchange" | "chain";

export interface Rejection {
  at: number;
  author: string;
  peer: string | null;
  error: string;
  message: string;
  cid?: string;
}

export interface RemoteHead {
  seq: number;
  cid: string;
  peers: string[];
}

interface PendingClaim {
  claim: HeadClaim;
  /** Who claimed it; null for the chain (any member may serve it). */
  peer: PeerId | null;
  source: ClaimSource;
}

export type ReplicatedListener = (head: LogHead, count: number) => void;
export type RejectedListener = (rejection: Rejection, evidence?: ForkEvidence) => void;

const MAX_REJECTIONS = 200;
/** The seq of a head known only by CID (from the chain). */
const UNKNOWN_SEQ = Number.MAX_SAFE_INTEGER;

export class Replicator {
  private readonly libp2p: Libp2p;
  private readonly topic: string;
  private readonly ring: string;
  private readonly pending = new Map<string, PendingClaim[]>();
  private readonly workers = new Map<string, Promise<void>>();
  private readonly refused = new Set<string>();
  /** Heads learnt from the chain, retried on every exchange tick until held. */
  private readonly chainWants = new Map<string, CID>();
  /** (peer, cid) claims being fetched right now: a repeat of one is not queued again. */
  private readonly inFlight = new Set<string>();
  private readonly best = new Map<string, { seq: number; cid: string; peers: Set<string> }>();
  private readonly rejectionLog: Rejection[] = [];
  private readonly replicatedListeners = new Set<ReplicatedListener>();
  private readonly rejectedListeners = new Set<RejectedListener>();
  private readonly controller = new AbortController();
  private exchangeTimer: NodeJS.Timeout | undefined;
  private readonly verification: VerificationContext;
  private readonly bitswapGapLimit: number;
  private readonly onMessage = (event: CustomEvent<Message>) => this.handleAnnouncement(event.detail);
  private readonly onIdentify = (event: CustomEvent<IdentifyResult>) => {
    if (event.detail.protocols.includes(HEADS_PROTOCOL)) void this.exchangeWith(event.detail.peerId);
  };

  constructor(private readonly options: ReplicatorOptions) {
    this.libp2p = options.helia.libp2p;
    this.ring = String(options.domain.verifyingContract);
    this.topic = headsTopic(options.chainId, this.ring);
    this.bitswapGapLimit = options.bitswapGapLimit ?? 16;
    this.verification = { domain: options.domain, isMember: (a) => options.membership.isMember(a), store: options.store };
  }

  async start(): Promise<void> {
    const exchange = this.exchangeOptions();
    await this.libp2p.handle(HEADS_PROTOCOL, headExchangeHandler(exchange), { runOnLimitedConnection: false });
    await this.libp2p.handle(
      LOG_SYNC_PROTOCOL,
      logSyncHandler({ store: this.options.store, ring: this.ring, isMemberPeer: (p) => this.isMemberPeer(p), timeoutMs: this.options.fetchTimeoutMs, logger: this.options.logger }),
    );
    const pubsub = this.options.helia.libp2p.services.pubsub;
    pubsub.subscribe(this.topic);
    pubsub.addEventListener("message", this.onMessage);
    this.libp2p.addEventListener("peer:identify", this.onIdentify);
    this.exchangeTimer = setInterval(() => void this.exchangeWithAll(), this.options.headExchangeMs);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    if (this.exchangeTimer !== undefined) clearInterval(this.exchangeTimer);
    const pubsub = this.options.helia.libp2p.services.pubsub;
    pubsub.removeEventListener("message", this.onMessage);
    this.libp2p.removeEventListener("peer:identify", this.onIdentify);
    await Promise.allSettled([...this.workers.values()]);
  }

  /** Publishes a new own head to the ring (after it is durable). */
  async announce(head: LogHead): Promise<void> {
    try {
      await this.options.helia.libp2p.services.pubsub.publish(this.topic, encodeAnnouncement(this.ring, head));
    } catch (error) {
      this.options.logger.debug({ err: error }, "announcement not published (no subscribed peers?)");
    }
  }

  /**
   * A head learnt elsewhere (the chain's logNodeHeads, where the seq is not known): fetched from
   * any connected member unless it is already held.
   */
  want(author: string, cid: CID, source: ClaimSource = "chain"): void {
    this.chainWants.set(author, cid);
    void this.holdsClaim({ author, seq: UNKNOWN_SEQ, cid }).then((held) => {
      if (!held) this.enqueue({ claim: { author, seq: UNKNOWN_SEQ, cid }, peer: null, source });
    });
  }

  /** Whether the claimed head is a node of the author's log held here (works without knowing its seq). */
  private async holdsClaim(claim: HeadClaim): Promise<boolean> {
    if (claim.seq !== UNKNOWN_SEQ) return this.options.store.holds(claim.author, claim.seq, claim.cid);
    const node = await this.options.store.readNode(claim.cid).catch(() => null);
    return node !== null && node.node.author === claim.author && this.options.store.holds(claim.author, node.node.seq, claim.cid);
  }

  onReplicated(listener: ReplicatedListener): () => void {
    this.replicatedListeners.add(listener);
    return () => this.replicatedListeners.delete(listener);
  }

  onRejected(listener: RejectedListener): () => void {
    this.rejectedListeners.add(listener);
    return () => this.rejectedListeners.delete(listener);
  }

  /** The most recent refusals, newest last. */
  rejections(): Rejection[] {
    return [...this.rejectionLog];
  }

  /** The highest head each author is known (claimed by a member) to have. */
  remoteHeads(): Map<string, RemoteHead> {
    return new Map([...this.best].map(([author, head]) => [author, { seq: head.seq, cid: head.cid, peers: [...head.peers] }]));
  }

  /** Resolves once nothing is pending or being fetched (for tests and tools). */
  async idle(): Promise<void> {
    while (this.workers.size > 0) await Promise.allSettled([...this.workers.values()]);
  }

  /** Exchanges heads with every connected member now. */
  async exchangeWithAll(): Promise<void> {
    for (const [author, cid] of this.chainWants) {
      if (await this.holdsClaim({ author, seq: UNKNOWN_SEQ, cid })) this.chainWants.delete(author);
      else if (this.options.membership.isMember(author)) this.enqueue({ claim: { author, seq: UNKNOWN_SEQ, cid }, peer: null, source: "chain" });
    }
    const peers = connectedPeers(this.libp2p).filter((peer) => this.isMemberPeer(peer));
    await Promise.allSettled(peers.map((peer) => this.exchangeWith(peer)));
  }

  private exchangeOptions(): HeadExchangeOptions {
    return {
      ring: this.ring,
      isMemberPeer: (peer) => this.isMemberPeer(peer),
      localHeads: () => this.options.store.heads().map((head) => ({ author: head.author, seq: head.seq, cid: head.cid })),
      onHeads: (peer, heads) => this.receiveClaims(peer, heads, "exchange"),
      timeoutMs: this.options.fetchTimeoutMs,
      logger: this.options.logger,
    };
  }

  private async exchangeWith(peer: PeerId): Promise<void> {
    if (this.controller.signal.aborted || !this.isMemberPeer(peer)) return;
    try {
      const theirs = await exchangeHeads(this.libp2p, peer, this.exchangeOptions());
      if (theirs.ring === this.ring) this.receiveClaims(peer, theirs.heads, "exchange");
    } catch (error) {
      this.options.logger.debug({ err: error, peer: peer.toString() }, "head exchange failed");
    }
  }

  private isMemberPeer(peer: PeerId): boolean {
    try {
      return this.options.membership.isMember(addressOfPeerId(peer));
    } catch {
      return false;
    }
  }

  private handleAnnouncement(message: Message): void {
    if (message.topic !== this.topic || message.type !== "signed") return;
    if (!this.isMemberPeer(message.from)) {
      this.options.logger.debug({ peer: message.from.toString() }, "ignored an announcement from a non-member");
      return;
    }
    try {
      const { ring, head } = decodeAnnouncement(message.data);
      if (ring === this.ring) this.receiveClaims(message.from, [head], "pubsub");
    } catch (error) {
      this.options.logger.debug({ err: error, peer: message.from.toString() }, "ignored a malformed announcement");
    }
  }

  private receiveClaims(peer: PeerId, claims: HeadClaim[], source: ClaimSource): void {
    for (const claim of claims) this.enqueue({ claim, peer, source });
  }

  private enqueue(pending: PendingClaim): void {
    const { claim, peer } = pending;
    if (this.controller.signal.aborted) return;
    if (claim.author === this.options.self) return;
    if (!this.options.membership.isMember(claim.author)) return;
    const key = refusalKey(peer, claim.cid);
    if (this.refused.has(key) || this.inFlight.has(key)) return;
    if (peer !== null) this.noteRemoteHead(claim, peer);
    if (claim.seq !== UNKNOWN_SEQ && this.options.store.holds(claim.author, claim.seq, claim.cid)) return;
    const queue = this.pending.get(claim.author) ?? [];
    if (queue.some((p) => p.claim.cid.equals(claim.cid) && p.peer?.toString() === peer?.toString())) return;
    queue.push(pending);
    this.pending.set(claim.author, queue);
    if (!this.workers.has(claim.author)) {
      const worker = this.work(claim.author).finally(() => this.workers.delete(claim.author));
      this.workers.set(claim.author, worker);
    }
  }

  private noteRemoteHead(claim: HeadClaim, peer: PeerId): void {
    const current = this.best.get(claim.author);
    const cid = claim.cid.toString();
    if (current === undefined || claim.seq > current.seq) this.best.set(claim.author, { seq: claim.seq, cid, peers: new Set([peer.toString()]) });
    else if (claim.seq === current.seq && cid === current.cid) current.peers.add(peer.toString());
  }

  /** Serves one author's pending claims, highest seq first, until none is left. */
  private async work(author: string): Promise<void> {
    for (;;) {
      if (this.controller.signal.aborted) return;
      const queue: PendingClaim[] = [];
      for (const p of this.pending.get(author) ?? []) {
        if (this.refused.has(refusalKey(p.peer, p.claim.cid))) continue;
        if (!(await this.holdsClaim(p.claim))) queue.push(p);
      }
      if (queue.length === 0) {
        this.pending.delete(author);
        return;
      }
      queue.sort((a, b) => b.claim.seq - a.claim.seq);
      const next = queue.shift() as PendingClaim;
      this.pending.set(author, queue);
      const key = refusalKey(next.peer, next.claim.cid);
      this.inFlight.add(key);
      try {
        await this.fetchClaim(author, next);
      } finally {
        this.inFlight.delete(key);
      }
    }
  }

  private async fetchClaim(author: string, pending: PendingClaim): Promise<void> {
    const peers = pending.peer !== null ? [pending.peer] : connectedPeers(this.libp2p).filter((p) => this.isMemberPeer(p));
    for (const peer of peers) {
      try {
        const count = await this.fetchFrom(author, pending.claim, peer);
        const head = this.options.store.head(author);
        if (head !== null && count > 0) {
          this.options.logger.debug({ author, seq: head.seq, count, peer: peer.toString(), source: pending.source }, "replicated");
          for (const listener of this.replicatedListeners) listener(head, count);
        }
        return;
      } catch (error) {
        await this.refuse(author, pending, peer, error);
      }
    }
  }

  /** Fetches, verifies and keeps everything between the held head and the claim; returns nodes kept. */
  private async fetchFrom(author: string, claim: HeadClaim, peer: PeerId): Promise<number> {
    const held = this.options.store.length(author);
    const gap = claim.seq - held + 1;
    if (claim.seq >= held && gap <= this.bitswapGapLimit) {
      try {
        return await this.fetchByBitswap(author, claim.cid, peer, gap);
      } catch (error) {
        if (!(error instanceof LogReplicationIncompleteError)) throw error;
        // Bitswap did not deliver in time (a busy peer's wantlist): ask the same peer over log-sync
        // before refusing; if that fails too, the bitswap error says what was missing.
        this.options.logger.debug({ author, peer: peer.toString(), err: error }, "bitswap incomplete, trying log-sync");
        return await this.fetchByLogSync(author, claim, peer).catch((syncError: unknown) => {
          throw syncError instanceof LogReplicationIncompleteError ? error : syncError;
        });
      }
    }
    try {
      return await this.fetchByLogSync(author, claim, peer);
    } catch (error) {
      if (!(error instanceof LogReplicationIncompleteError)) throw error;
      // The peer lacks ancestors (or the protocol failed): walk the links over bitswap from anyone.
      this.options.logger.debug({ author, peer: peer.toString(), err: error }, "log-sync incomplete, walking links over bitswap");
      return this.fetchByBitswap(author, claim.cid, peer, claim.seq === UNKNOWN_SEQ ? Number.MAX_SAFE_INTEGER : gap);
    }
  }

  private async fetchByLogSync(author: string, claim: HeadClaim, peer: PeerId): Promise<number> {
    const held = this.options.store.length(author);
    const from = claim.seq < held ? claim.seq : Math.max(held - 1, 0);
    let kept = 0;
    let frames = 0;
    try {
      for await (const frame of fetchLogRange(this.libp2p, peer, { ring: this.ring, author, from, to: claim.cid }, { timeoutMs: this.options.fetchTimeoutMs, signal: this.controller.signal })) {
        frames++;
        const batch = await verifyBatch(this.verification, author, frame);
        await this.options.store.append(author, batch.nodes, false);
        kept += batch.nodes.length;
      }
    } catch (error) {
      if (error instanceof LogVerificationError) throw error;
      throw new LogReplicationIncompleteError(`log-sync from ${peer.toString()} failed after ${frames} frames: ${(error as Error).message}`, claim.cid.toString());
    }
    if (!(await this.holdsClaim(claim))) {
      throw new LogReplicationIncompleteError(`log-sync from ${peer.toString()} ended before ${author}'s head ${claim.seq} (${claim.cid.toString()})`, claim.cid.toString());
    }
    return kept;
  }

  /**
   * Walks `prev` links back from `head` over bitswap until it reaches the held log, then verifies
   * the whole chain as one batch. Blocks of a refused batch are deleted again.
   */
  private async fetchByBitswap(author: string, head: CID, peer: PeerId, maxNodes: number): Promise<number> {
    const held = this.options.store.length(author);
    const blocks: ReceivedBlock[] = [];
    let cursor: CID | undefined = head;
    try {
      while (cursor !== undefined) {
        let bytes: Uint8Array;
        try {
          bytes = await fetchBlock(this.options.helia, cursor, { timeoutMs: this.options.fetchTimeoutMs, provider: peer, signal: this.controller.signal });
        } catch (error) {
          if (error instanceof BlockFetchTimeoutError) throw new LogReplicationIncompleteError(`ancestor ${cursor.toString()} of ${head.toString()} could not be fetched: ${error.message}`, cursor.toString());
          throw error;
        }
        blocks.unshift({ cid: cursor, bytes });
        const seq = peekSeq(bytes);
        const parent = peekParent(bytes);
        if (seq === undefined || seq === 0 || seq <= held - 1) break;
        if (parent !== undefined && this.options.store.holds(author, seq - 1, parent)) break;
        if (blocks.length >= maxNodes) break;
        cursor = parent;
      }
      const batch = await verifyBatch(this.verification, author, blocks);
      await this.options.store.append(author, batch.nodes, false);
      return batch.nodes.length;
    } catch (error) {
      await this.forgetUnheld(author, blocks);
      throw error;
    }
  }

  private async forgetUnheld(author: string, blocks: ReceivedBlock[]): Promise<void> {
    for (const block of blocks) {
      const seq = peekSeq(block.bytes);
      if (seq !== undefined && this.options.store.holds(author, seq, block.cid)) continue;
      await this.options.store.blockstore.delete(block.cid).catch(() => undefined);
    }
  }

  private async refuse(author: string, pending: PendingClaim, peer: PeerId, error: unknown): Promise<void> {
    const name = error instanceof Error ? error.name : "Error";
    const message = error instanceof Error ? error.message : String(error);
    const rejection: Rejection = { at: Date.now(), author, peer: peer.toString(), error: name, message };
    if (error instanceof LogVerificationError && error.cid !== undefined) rejection.cid = error.cid;
    // A chain head that failed for want of a peer or an ancestor is tried again later; a bad one is not.
    if (pending.peer !== null || (error instanceof LogVerificationError && !(error instanceof LogReplicationIncompleteError))) {
      this.refused.add(refusalKey(pending.peer, pending.claim.cid));
    }
    let evidence: ForkEvidence | undefined;
    if (error instanceof ForkDetectedError) {
      evidence = error.evidence;
      if (!(await this.options.store.hasFork(evidence.author, evidence.seq))) await this.options.store.recordFork(evidence);
    }
    this.rejectionLog.push(rejection);
    if (this.rejectionLog.length > MAX_REJECTIONS) this.rejectionLog.shift();
    const level = error instanceof LogVerificationError ? "warn" : "info";
    this.options.logger[level]({ author, peer: peer.toString(), error: name, cid: rejection.cid, source: pending.source, msg: message }, "refused a batch");
    for (const listener of this.rejectedListeners) listener(rejection, evidence);
  }
}

function refusalKey(peer: PeerId | null, cid: CID): string {
  return `${peer?.toString() ?? "chain"}/${cid.toString()}`;
}

/** seq of a not-yet-verified node, if it looks like one (used only to decide where to stop fetching). */
function peekSeq(bytes: Uint8Array): number | undefined {
  try {
    const value = dagCbor.decode<{ seq?: unknown }>(bytes);
    return typeof value.seq === "number" ? value.seq : undefined;
  } catch {
    return undefined;
  }
}

function peekParent(bytes: Uint8Array): CID | undefined {
  try {
    const value = dagCbor.decode<{ prev?: unknown }>(bytes);
    return Array.isArray(value.prev) ? (CID.asCID(value.prev[0]) ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}
