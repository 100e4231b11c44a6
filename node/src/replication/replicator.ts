/**
 * Keeps every member's log on this node. Heads arrive from pubsub announcements (announcements.ts:
 * nodes carried inline are kept at once when they reach the held log), from direct head
 * exchange with connected members and from the chain; the claim queue (claimQueue.ts) has one
 * worker per author fetch what is missing from a peer that claimed it (fetchStrategy.ts: bitswap
 * for short gaps, log-sync for catch-up), and every batch, fetched or pushed by the rounds, enters
 * through `ingest` (ingest.ts): verified, kept, or refused and recorded in the refusal log
 * (refusalLog.ts). This class wires those parts to libp2p and is what the rest of the node uses.
 */
import type { GossipsubMessage } from "@libp2p/gossipsub";
import type { IdentifyResult, PeerId } from "@libp2p/interface";
import type { TypedDataDomain } from "ethers";
import { TypedEventEmitter } from "main-event";
import type { CID } from "multiformats/cid";
import type { Logger } from "pino";
import type { Membership } from "../chain/membership.js";
import { addressOfPeerId } from "../identity/identity.js";
import type { ForkEvidence } from "../log/forkEvidence.js";
import type { LogHead, LogStore } from "../log/store.js";
import type { ReceivedBlock } from "../log/verify.js";
import type { RingHelia } from "../p2p/createRingHelia.js";
import { connectedPeers } from "../p2p/connectedPeers.js";
import { AnnouncementIntake } from "./announcements.js";
import { ClaimQueue, UNKNOWN_SEQ, type ClaimSource, type PendingClaim, type RemoteHead } from "./claimQueue.js";
import { FetchStrategy } from "./fetchStrategy.js";
import { exchangeHeads, headExchangeHandler, type HeadExchangeOptions } from "./headExchange.js";
import { Ingest, isRefusal } from "./ingest.js";
import { logSyncHandler } from "./logSync.js";
import { encodeAnnouncement, type HeadClaim } from "./messages.js";
import { HEADS_PROTOCOL, headsTopic, LOG_SYNC_PROTOCOL } from "./protocols.js";
import { RefusalLog, type IngestSource, type RejectedDetail, type Rejection } from "./refusalLog.js";

export type { ClaimSource, IngestSource, Rejection, RejectedDetail, RemoteHead };

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
  /**
   * The author's head on chain (the chain view): what a first contact with an author must lead to.
   * Default: the last head `want` was given for it.
   */
  chainHead?(author: string): CID | null;
  /**
   * Peers besides the ring's members that log-sync serves (the replica nodes of the replica rings
   * the ring is registered with: the peers bitswap serves, p2p/bitswapPeers.ts, which hold these
   * blocks anyway). Default: members only.
   */
  servesLogSyncTo?(peer: PeerId): boolean;
}

export interface ReplicatedDetail {
  /** The author's head after the fetch. */
  head: LogHead;
  /** Nodes kept by it. */
  count: number;
}

export interface ReplicatorEvents {
  /** A fetch kept nodes of another member's log. */
  replicated: CustomEvent<ReplicatedDetail>;
  /** A batch was refused (see refusalLog.ts); a fork carries its evidence. */
  rejected: CustomEvent<RejectedDetail>;
}

export type ReplicatedListener = (head: LogHead, count: number) => void;
export type RejectedListener = (rejection: Rejection, evidence?: ForkEvidence) => void;

export class Replicator extends TypedEventEmitter<ReplicatorEvents> {
  private readonly libp2p: RingHelia["libp2p"];
  private readonly topic: string;
  private readonly ring: string;
  /** Heads learnt from the chain, retried on every exchange tick until held. */
  private readonly chainWants = new Map<string, CID>();
  private readonly controller = new AbortController();
  private exchangeTimer: NodeJS.Timeout | undefined;
  private readonly refusals: RefusalLog;
  private readonly batches: Ingest;
  private readonly claims: ClaimQueue;
  private readonly fetcher: FetchStrategy;
  private readonly announcements: AnnouncementIntake;
  private readonly onMessage = (event: CustomEvent<GossipsubMessage>) => {
    if (event.detail.msg.topic === this.topic) void this.announcements.receive(event.detail.msg.data, event.detail.propagationSource);
  };
  private readonly onIdentify = (event: CustomEvent<IdentifyResult>) => {
    if (event.detail.protocols.includes(HEADS_PROTOCOL)) void this.exchangeWith(event.detail.peerId);
  };

  constructor(private readonly options: ReplicatorOptions) {
    super();
    const { store, logger, membership } = options;
    this.libp2p = options.helia.libp2p;
    this.ring = String(options.domain.verifyingContract);
    this.topic = headsTopic(options.chainId, this.ring);
    this.refusals = new RefusalLog(this, logger);
    this.batches = new Ingest({ logs: store, verification: { domain: options.domain, isMember: (a) => membership.isMember(a) }, refusals: this.refusals });
    const holdsClaim = (claim: HeadClaim) => this.holdsClaim(claim);
    const chainHead = (author: string) => options.chainHead?.(author) ?? this.chainWants.get(author) ?? null;
    this.fetcher = new FetchStrategy(
      { helia: options.helia, streams: this.libp2p, logs: store, ingest: this.batches, holdsClaim, chainHead, logger },
      { ring: this.ring, fetchTimeoutMs: options.fetchTimeoutMs, bitswapGapLimit: options.bitswapGapLimit ?? 16, signal: this.controller.signal },
    );
    this.claims = new ClaimQueue({
      self: options.self,
      isMember: (a) => membership.isMember(a),
      holdsClaim,
      holdsAt: (author, seq, cid) => store.holds(author, seq, cid),
      serve: (pending) => this.fetchClaim(pending),
      signal: this.controller.signal,
    });
    this.announcements = new AnnouncementIntake({
      ring: this.ring,
      self: options.self,
      isMemberPeer: (peer) => this.isMemberPeer(peer),
      authorPeer: (author) => connectedPeers(this.libp2p).find((peer) => this.isMemberPeer(peer) && addressOfPeerId(peer) === author),
      logs: store,
      ingest: this.batches,
      claim: (peer, claim) => this.receiveClaims(peer, [claim], "pubsub"),
      replicated: (head, count) => this.safeDispatchEvent("replicated", { detail: { head, count } }),
      logger,
    });
  }

  async start(): Promise<void> {
    const { store, fetchTimeoutMs, logger } = this.options;
    await this.libp2p.handle(HEADS_PROTOCOL, headExchangeHandler(this.exchangeOptions()), { runOnLimitedConnection: false });
    await this.libp2p.handle(LOG_SYNC_PROTOCOL, logSyncHandler({ store, ring: this.ring, isMemberPeer: (p) => this.isMemberPeer(p) || (this.options.servesLogSyncTo?.(p) ?? false), timeoutMs: fetchTimeoutMs, logger }));
    const pubsub = this.libp2p.services.pubsub;
    pubsub.subscribe(this.topic);
    pubsub.addEventListener("gossipsub:message", this.onMessage);
    this.libp2p.addEventListener("peer:identify", this.onIdentify);
    this.exchangeTimer = setInterval(() => void this.exchangeWithAll(), this.options.headExchangeMs);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    if (this.exchangeTimer !== undefined) clearInterval(this.exchangeTimer);
    this.libp2p.services.pubsub.removeEventListener("gossipsub:message", this.onMessage);
    this.libp2p.removeEventListener("peer:identify", this.onIdentify);
    await this.claims.idle();
  }

  /**
   * Publishes a new own head to the ring (after it is durable), with the newest nodes up to it
   * (`blocks`, ascending, the head last) as far as they fit an announcement (messages.ts): members
   * that hold the node before them keep them from the announcement without a fetch.
   */
  async announce(head: LogHead, blocks: readonly Uint8Array[] = []): Promise<void> {
    try {
      await this.libp2p.services.pubsub.publish(this.topic, encodeAnnouncement(this.ring, head, blocks));
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
      if (!held) this.claims.enqueue({ claim: { author, seq: UNKNOWN_SEQ, cid }, peer: null, source });
    });
  }

  /**
   * Verifies and keeps a batch of `author`'s nodes (ascending seq) received outside a fetch (the
   * rounds' push); see Ingest.ingest. Resolves with how many nodes were kept; rejects when none
   * were, after recording a refusal (source, peer; fork evidence kept) unless the batch merely
   * does not connect to the held log (LogReplicationIncompleteError) or lost a race with a fetch.
   */
  async ingest(author: string, blocks: readonly ReceivedBlock[], source: IngestSource, peer: PeerId | null): Promise<number> {
    return this.batches.ingest(author, blocks, source, peer);
  }

  onReplicated(listener: ReplicatedListener): () => void {
    const handler = (event: CustomEvent<ReplicatedDetail>) => listener(event.detail.head, event.detail.count);
    this.addEventListener("replicated", handler);
    return () => this.removeEventListener("replicated", handler);
  }

  onRejected(listener: RejectedListener): () => void {
    const handler = (event: CustomEvent<RejectedDetail>) => listener(event.detail.rejection, event.detail.evidence);
    this.addEventListener("rejected", handler);
    return () => this.removeEventListener("rejected", handler);
  }

  /** The most recent refusals, newest last. */
  rejections(): Rejection[] {
    return this.refusals.list();
  }

  /** The highest head each author is known (claimed by a member) to have. */
  remoteHeads(): Map<string, RemoteHead> {
    return this.claims.remoteHeads();
  }

  /** Resolves once nothing is pending or being fetched (for tests and tools). */
  async idle(): Promise<void> {
    await this.claims.idle();
  }

  /** Exchanges heads with every connected member now. */
  async exchangeWithAll(): Promise<void> {
    for (const [author, cid] of this.chainWants) {
      if (await this.holdsClaim({ author, seq: UNKNOWN_SEQ, cid })) this.chainWants.delete(author);
      else if (this.options.membership.isMember(author)) this.claims.enqueue({ claim: { author, seq: UNKNOWN_SEQ, cid }, peer: null, source: "chain" });
    }
    const peers = connectedPeers(this.libp2p).filter((peer) => this.isMemberPeer(peer));
    await Promise.allSettled(peers.map((peer) => this.exchangeWith(peer)));
  }

  /** Whether the claimed head is a node of the author's log held here (works without knowing its seq). */
  private async holdsClaim(claim: HeadClaim): Promise<boolean> {
    const { store } = this.options;
    if (claim.seq !== UNKNOWN_SEQ) return store.holds(claim.author, claim.seq, claim.cid);
    // The claim queue asks this for every pending claim on every turn: the index first, the blocks only when it is not a recent node.
    if (store.recentSeqOf(claim.author, claim.cid) !== undefined) return true;
    const node = await store.readNode(claim.cid).catch(() => null);
    return node !== null && node.node.author === claim.author && store.holds(claim.author, node.node.seq, claim.cid);
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

  private receiveClaims(peer: PeerId, claims: HeadClaim[], source: ClaimSource): void {
    for (const claim of claims) this.claims.enqueue({ claim, peer, source });
  }

  /** Fetches one claim from its claimant, or (a chain claim) from each connected member until one serves it. */
  private async fetchClaim(pending: PendingClaim): Promise<void> {
    const { author } = pending.claim;
    const peers = pending.peer !== null ? [pending.peer] : connectedPeers(this.libp2p).filter((p) => this.isMemberPeer(p));
    for (const peer of peers) {
      try {
        const count = await this.fetcher.fetch(author, pending.claim, peer);
        const head = this.options.store.head(author);
        if (head !== null && count > 0) {
          this.options.logger.debug({ author, seq: head.seq, count, peer: peer.toString(), source: pending.source }, "replicated");
          this.safeDispatchEvent("replicated", { detail: { head, count } });
        }
        return;
      } catch (error) {
        this.refuse(pending, peer, error);
      }
    }
  }

  /** A claim that could not be fetched: not asked again, and recorded unless ingest recorded it already. */
  private refuse(pending: PendingClaim, peer: PeerId, error: unknown): void {
    // A chain head that failed for want of a peer or an ancestor is tried again later; a bad one is not.
    if (pending.peer !== null || isRefusal(error)) this.claims.refuse(pending);
    if (this.refusals.has(error)) return;
    this.refusals.record({ author: pending.claim.author, peer: peer.toString(), error, context: { claim: pending.source } });
  }
}
