/**
 * The live subscriptions of one node: `SubscribeMessages` feeds (messageFeed.ts) and `SubscribeHeads`
 * listeners, per connection, at most `maxPerConnection` each; a closed connection's are ended. The
 * book's changes refresh every message feed; every flushed round goes to every heads listener once.
 */
import { NOTIFICATIONS, WS_LIMITS, type FlushedRoundHead, type HeadNotification } from "../api/subscriptions.js";
import type { RpcConnection } from "../jsonrpc/dispatcher.js";
import type { MessagePosition } from "./cursor.js";
import { TooManySubscriptionsError } from "./errors.js";
import { MessageFeed, type FeedSource } from "./messageFeed.js";

export interface SubscriptionHubOptions {
  source: FeedSource;
  /** Subscriptions of one connection at once (default WS_LIMITS.maxSubscriptionsPerSocket). */
  maxPerConnection?: number;
  /** A feed's refresh failed (logged; the feed stays). */
  onError?: (error: unknown) => void;
}

type Subscription = { kind: "messages"; feed: MessageFeed } | { kind: "heads" };

export class SubscriptionHub {
  private readonly byConnection = new Map<string, { connection: RpcConnection; subscriptions: Map<string, Subscription> }>();
  private readonly maxPerConnection: number;
  private nextId = 1;
  /** Highest round sent to heads listeners (each round once). */
  private lastHeadRound = 0;

  constructor(private readonly options: SubscriptionHubOptions) {
    this.maxPerConnection = options.maxPerConnection ?? WS_LIMITS.maxSubscriptionsPerSocket;
  }

  /** Subscriptions held now, over all connections. */
  get size(): number {
    let size = 0;
    for (const { subscriptions } of this.byConnection.values()) size += subscriptions.size;
    return size;
  }

  /** Starts a feed of `app` after `after` on `connection`; it sends what is held at once. Answers its id. */
  subscribeMessages(connection: RpcConnection, app: string, after: MessagePosition | null): string {
    const id = this.add(connection, (subscriptionId) => {
      const sink = {
        get closed() {
          return connection.closed;
        },
        send: (notification: object) => connection.notify(NOTIFICATIONS.message, notification),
        drained: () => connection.drained(),
      };
      return { kind: "messages", feed: new MessageFeed(subscriptionId, app, after, this.options.source, sink) };
    });
    // Sent after the answer: the subscription's first notification follows its id.
    setImmediate(() => this.refreshOne(connection.id, id));
    return id;
  }

  subscribeHeads(connection: RpcConnection): string {
    return this.add(connection, () => ({ kind: "heads" }));
  }

  /** Ends subscription `id` of `connection`: false when it holds none with that id. */
  unsubscribe(connection: RpcConnection, id: string): boolean {
    const entry = this.byConnection.get(connection.id);
    const subscription = entry?.subscriptions.get(id);
    if (entry === undefined || subscription === undefined) return false;
    if (subscription.kind === "messages") subscription.feed.stop();
    entry.subscriptions.delete(id);
    return true;
  }

  /** The order may have changed: every feed sends what is new. */
  changed(): void {
    for (const [connectionId, { subscriptions }] of this.byConnection) {
      for (const id of subscriptions.keys()) this.refreshOne(connectionId, id);
    }
  }

  /** A round was flushed: every heads listener is told (once per round; an older round arriving late is not sent). */
  head(head: FlushedRoundHead): void {
    if (head.round <= this.lastHeadRound) return;
    this.lastHeadRound = head.round;
    for (const { connection, subscriptions } of this.byConnection.values()) {
      for (const [id, subscription] of subscriptions) {
        if (subscription.kind !== "heads") continue;
        const notification: HeadNotification = { subscription: id, ...head };
        connection.notify(NOTIFICATIONS.head, notification);
      }
    }
  }

  /** Ends every subscription. */
  close(): void {
    for (const { subscriptions } of this.byConnection.values()) {
      for (const subscription of subscriptions.values()) if (subscription.kind === "messages") subscription.feed.stop();
    }
    this.byConnection.clear();
  }

  private add(connection: RpcConnection, make: (id: string) => Subscription): string {
    let entry = this.byConnection.get(connection.id);
    if (entry !== undefined && entry.subscriptions.size >= this.maxPerConnection) {
      throw new TooManySubscriptionsError(`this connection holds ${this.maxPerConnection} subscriptions already`);
    }
    if (entry === undefined) {
      entry = { connection, subscriptions: new Map() };
      this.byConnection.set(connection.id, entry);
      connection.onClose(() => this.dropConnection(connection.id));
    }
    const id = `sub-${this.nextId++}`;
    entry.subscriptions.set(id, make(id));
    return id;
  }

  private dropConnection(connectionId: string): void {
    const entry = this.byConnection.get(connectionId);
    if (entry === undefined) return;
    for (const subscription of entry.subscriptions.values()) if (subscription.kind === "messages") subscription.feed.stop();
    this.byConnection.delete(connectionId);
  }

  private refreshOne(connectionId: string, id: string): void {
    const subscription = this.byConnection.get(connectionId)?.subscriptions.get(id);
    if (subscription?.kind !== "messages") return;
    subscription.feed.refresh().catch((error: unknown) => this.options.onError?.(error));
  }
}
