/**
 * What a head announcement on the ring's pubsub topic turns into. Gossipsub runs unsigned
 * (createRingHelia.ts says why), so an announcement is only a claim: it is taken from ring members
 * only, and the claim is queued for a fetch (claimQueue.ts). When the announcement carries the
 * newest nodes up to the head and they reach back to the author's log held here, they go straight
 * through `ingest` (CID, signature, member author, seq, links to the held head: as for fetched
 * nodes) and no fetch is made; blocks that are refused are recorded as a refusal, and blocks that
 * do not connect (a gap, a race with a fetch) leave the claim to the queue.
 */
import type { PeerId } from "@libp2p/interface";
import type { Logger } from "pino";
import { cidOfBytes } from "../core/cid.js";
import type { LogHead, LogStore } from "../log/store.js";
import { isRefusal, type Ingest } from "./ingest.js";
import { decodeAnnouncement, type HeadClaim } from "./messages.js";

export interface AnnouncementComponents {
  /** The ring the topic belongs to: announcements naming another are dropped. */
  ring: string;
  /** This node's own address: its log is written only by OwnLog. */
  self: string;
  isMemberPeer(peer: PeerId): boolean;
  /** The connected peer of the author, if any: a claim is fetched from its author before a relayer. */
  authorPeer(author: string): PeerId | undefined;
  logs: Pick<LogStore, "length" | "head">;
  ingest: Pick<Ingest, "ingest">;
  /** Queues the claim for a fetch from `peer` (the claim queue drops what is held, refused or queued). */
  claim(peer: PeerId, claim: HeadClaim): void;
  /** Nodes were kept from an announcement. */
  replicated(head: LogHead, count: number): void;
  logger: Logger;
}

/** Announcements of one author waiting for the one before to be kept; past this, only their claims are queued. */
export const ANNOUNCEMENTS_PENDING_PER_AUTHOR = 256;

export class AnnouncementIntake {
  /** Per author, the last announcement's turn: they are kept in the order they arrived, each after the one before. */
  private readonly turns = new Map<string, { tail: Promise<void>; pending: number }>();

  constructor(private readonly components: AnnouncementComponents) {}

  /** Handles one announcement's bytes from `source`, the member it arrived from (the author or a relayer). */
  async receive(data: Uint8Array, source: PeerId): Promise<void> {
    const { components } = this;
    if (!components.isMemberPeer(source)) {
      components.logger.debug({ peer: source.toString() }, "ignored an announcement from a non-member");
      return;
    }
    let announcement;
    try {
      announcement = decodeAnnouncement(data);
    } catch (error) {
      components.logger.debug({ err: error, peer: source.toString() }, "ignored a malformed announcement");
      return;
    }
    const { ring, head, blocks } = announcement;
    if (ring !== components.ring) return;
    const from = components.authorPeer(head.author) ?? source;
    const turn = this.turns.get(head.author) ?? { tail: Promise.resolve(), pending: 0 };
    if (blocks.length === 0 || head.author === components.self || turn.pending >= ANNOUNCEMENTS_PENDING_PER_AUTHOR) {
      components.claim(from, head);
      return;
    }
    turn.pending++;
    turn.tail = turn.tail.then(async () => {
      const held = components.logs.length(head.author);
      if (held <= head.seq && held >= head.seq - blocks.length + 1) await this.keep(head, blocks, source);
      // Queued either way: a kept head is dropped as held, yet still noted as this peer's claim (`ring-node status`).
      components.claim(from, head);
    }).catch((error: unknown) => components.logger.debug({ err: error, author: head.author }, "an announcement was not handled"));
    this.turns.set(head.author, turn);
    await turn.tail;
    if (--turn.pending === 0) this.turns.delete(head.author);
  }

  /** Keeps the inline blocks as the author's next nodes, if they verify and link to the held head. */
  private async keep(head: HeadClaim, blocks: readonly Uint8Array[], source: PeerId): Promise<void> {
    const { ingest, logs, logger } = this.components;
    const received = await Promise.all(blocks.map(async (bytes) => ({ cid: await cidOfBytes(bytes), bytes })));
    if (received.at(-1)?.cid.equals(head.cid) !== true) {
      logger.debug({ author: head.author, seq: head.seq, peer: source.toString() }, "an announcement's blocks do not end with its head, fetching the claim");
      return;
    }
    try {
      const count = await ingest.ingest(head.author, received, "announcement", source);
      const held = logs.head(head.author);
      if (count > 0 && held !== null) this.components.replicated(held, count);
    } catch (error) {
      // A refusal is recorded by ingest; anything else (no link to the held head yet, a race with a fetch) is the claim queue's.
      if (!isRefusal(error)) logger.debug({ err: error, author: head.author, seq: head.seq }, "announced blocks not kept, fetching the claim");
    }
  }
}
