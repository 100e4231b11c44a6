/**
 * Which heads to fetch, and in what order. Members claim heads (pubsub, head exchange) and the chain
 * names them; each claim is queued per author, and one worker per author serves that author's
 * claims highest seq first until none is left. A claim already held, being fetched, queued or
 * refused before (per peer and CID) is not queued again. The highest head each author is claimed to
 * have is remembered for `ring-node status`.
 */
import type { PeerId } from "@libp2p/interface";
import type { CID } from "multiformats/cid";
import type { HeadClaim } from "./messages.js";

export type ClaimSource = "pubsub" | "exchange" | "chain";

export interface PendingClaim {
  claim: HeadClaim;
  /** Who claimed it; null for the chain (any member may serve it). */
  peer: PeerId | null;
  source: ClaimSource;
}

export interface RemoteHead {
  seq: number;
  cid: string;
  peers: string[];
}

/** The seq of a head known only by CID (from the chain). */
export const UNKNOWN_SEQ = Number.MAX_SAFE_INTEGER;

export interface ClaimQueueComponents {
  /** This node's own address: its log is written only by OwnLog, never replicated in. */
  self: string;
  isMember(address: string): boolean;
  /** Whether the claimed head is held (a claim of UNKNOWN_SEQ may need a read to tell). */
  holdsClaim(claim: HeadClaim): Promise<boolean>;
  /** The same, answered at once for a claim whose seq is known. */
  holdsAt(author: string, seq: number, cid: CID): boolean;
  /** Fetches one claim (the worker waits for it before taking the next). */
  serve(pending: PendingClaim): Promise<void>;
  /** Once aborted, nothing more is queued or served. */
  signal: AbortSignal;
}

/** A refused (peer, CID) pair is not fetched again; the chain stands for "any peer". */
export function refusalKey(peer: PeerId | null, cid: CID): string {
  return `${peer?.toString() ?? "chain"}/${cid.toString()}`;
}

export class ClaimQueue {
  private readonly pending = new Map<string, PendingClaim[]>();
  private readonly workers = new Map<string, Promise<void>>();
  private readonly refused = new Set<string>();
  /** (peer, cid) claims being fetched right now: a repeat of one is not queued again. */
  private readonly inFlight = new Set<string>();
  private readonly best = new Map<string, { seq: number; cid: string; peers: Set<string> }>();

  constructor(private readonly components: ClaimQueueComponents) {}

  /** Queues the claim unless it is this node's own, a non-member's, held, refused, in flight or queued. */
  enqueue(pending: PendingClaim): void {
    const { claim, peer } = pending;
    const { components } = this;
    if (components.signal.aborted) return;
    if (claim.author === components.self) return;
    if (!components.isMember(claim.author)) return;
    const key = refusalKey(peer, claim.cid);
    if (this.refused.has(key) || this.inFlight.has(key)) return;
    if (peer !== null) this.noteRemoteHead(claim, peer);
    if (claim.seq !== UNKNOWN_SEQ && components.holdsAt(claim.author, claim.seq, claim.cid)) return;
    const queue = this.pending.get(claim.author) ?? [];
    if (queue.some((p) => p.claim.cid.equals(claim.cid) && p.peer?.toString() === peer?.toString())) return;
    queue.push(pending);
    this.pending.set(claim.author, queue);
    if (!this.workers.has(claim.author)) {
      const worker = this.work(claim.author).finally(() => this.workers.delete(claim.author));
      this.workers.set(claim.author, worker);
    }
  }

  /** Never queue this claim again (from this peer; from the chain, for a chain claim). */
  refuse(pending: PendingClaim): void {
    this.refused.add(refusalKey(pending.peer, pending.claim.cid));
  }

  isRefused(peer: PeerId | null, cid: CID): boolean {
    return this.refused.has(refusalKey(peer, cid));
  }

  /** The highest head each author is known (claimed by a member) to have. */
  remoteHeads(): Map<string, RemoteHead> {
    return new Map([...this.best].map(([author, head]) => [author, { seq: head.seq, cid: head.cid, peers: [...head.peers] }]));
  }

  /** Resolves once nothing is pending or being fetched. */
  async idle(): Promise<void> {
    while (this.workers.size > 0) await Promise.allSettled([...this.workers.values()]);
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
      if (this.components.signal.aborted) return;
      const queue: PendingClaim[] = [];
      for (const p of this.pending.get(author) ?? []) {
        if (this.refused.has(refusalKey(p.peer, p.claim.cid))) continue;
        if (!(await this.components.holdsClaim(p.claim))) queue.push(p);
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
        await this.components.serve(next);
      } finally {
        this.inFlight.delete(key);
      }
    }
  }
}
