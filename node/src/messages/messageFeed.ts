/**
 * One `SubscribeMessages` subscription: what it has sent and what the order holds now, turned into
 * `message` notifications. Final messages go out in the agreed order after the last one sent (the
 * resume cursor), each once; a tentative one is sent when first seen, then again as final (or as
 * dropped when its author forked). After a resume from a cursor the tentative ones are sent again
 * (a client keeps them by CID); final ones never twice.
 */
import type { MessageNotification, MessageState } from "../api/subscriptions.js";
import type { MessageItem } from "../api/results.js";
import { encodeCursor, type MessagePosition } from "./cursor.js";
import { itemOf } from "./item.js";
import type { MessageOrder } from "./order.js";

/** What a feed reads of the agreed order. */
export type FeedSource = Pick<MessageOrder, "finalAfter" | "tentativeOf" | "isDropped">;

/** Where notifications go (an RpcConnection's narrow side). */
export interface FeedSink {
  readonly closed: boolean;
  /** False when the sink closed (the feed stops). */
  send(notification: MessageNotification): boolean;
  /** Resolves when the sink can take more (its unsent bytes are low again). */
  drained(): Promise<void>;
}

/** Final messages sent per page before waiting for the sink to drain. */
export const FEED_PAGE = 256;

export class MessageFeed {
  private position: MessagePosition | null;
  /** Tentative messages sent and not final or dropped yet, by CID. */
  private readonly pending = new Map<string, MessageItem>();
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    readonly id: string,
    readonly app: string,
    after: MessagePosition | null,
    private readonly source: FeedSource,
    private readonly sink: FeedSink,
  ) {
    this.position = after;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Sends what changed since the last refresh; one pass at a time (a call during one runs another after it). */
  refresh(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && !this.done);
    })().finally(() => (this.running = null));
    return this.running;
  }

  private get done(): boolean {
    return this.stopped || this.sink.closed;
  }

  private async pass(): Promise<void> {
    for (;;) {
      const page = this.source.finalAfter(this.app, this.position, FEED_PAGE);
      for (const ordered of page) {
        if (this.done) return;
        const item = itemOf(ordered);
        this.position = { round: ordered.round ?? 0, author: item.author, seq: item.seq };
        this.pending.delete(item.cid);
        if (!this.send("final", item)) return;
      }
      if (page.length < FEED_PAGE) break;
      await this.sink.drained();
    }
    const tentative = this.source.tentativeOf(this.app);
    const held = new Set<string>();
    for (const message of tentative) {
      if (this.done) return;
      held.add(message.cid);
      if (this.pending.has(message.cid)) continue;
      const item = itemOf({ message, round: null });
      this.pending.set(message.cid, item);
      if (!this.send("tentative", item)) return;
    }
    for (const [cid, item] of this.pending) {
      if (held.has(cid) || !this.source.isDropped(cid)) continue;
      this.pending.delete(cid);
      if (!this.send("dropped", item)) return;
    }
  }

  private send(state: MessageState, message: MessageItem): boolean {
    const cursor = this.position === null ? null : encodeCursor(this.app, this.position);
    return this.sink.send({ subscription: this.id, state, round: state === "final" ? message.round : null, cursor, message });
  }
}
