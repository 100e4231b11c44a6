/**
 * A typed client of a ring's messages for applications: `post` and `read` over HTTP (RingsRpcClient),
 * `subscribe` and `subscribeHeads` over WebSocket as async iterators, and `replay` (every final
 * message of an app, in the agreed order, paged). `subscribe` reconnects after a lost connection and
 * resumes after the last final message it yielded, so final messages come once each and none is
 * missed; tentative ones may come again after a reconnect (keep them by CID).
 */
import type { MessageItem, PostMessageResult, ReadMessagesResult } from "../api/results.js";
import type { PostMessageRequest, ReadMessagesRequest } from "../api/requests.js";
import { RpcErrorCode } from "../api/errorCodes.js";
import { LIMITS } from "../api/schemas.js";
import { NOTIFICATIONS, SUBSCRIPTION_METHODS, type HeadNotification, type MessageNotification, type SubscribeResult } from "../api/subscriptions.js";
import { RingsRpcClient, RingsRpcError, type CallOptions } from "./ringsRpcClient.js";
import { AsyncQueue } from "./asyncQueue.js";
import { verifyMessageItem, type ReplayVerification } from "./replayVerify.js";
import { WsConnection, type WsClose } from "./wsConnection.js";

/** Replay without a member: from a replica ring's GetReplicaLog, every round checked against the chain (replicaReplay.ts). */
export { replayFromReplica, type ReplicaReplay, type ReplicaReplayOptions } from "./replicaReplay.js";

export interface MessagesClientOptions {
  /** Per call (default 10 s). */
  timeoutMs?: number;
  /** Sent with the WebSocket upgrade. */
  headers?: Record<string, string>;
  /** Pause before a reconnect (default 250 ms, doubling up to 5 s). */
  retryMs?: number;
  /** Notifications held for a reader that does not keep up; past it the subscription reconnects from its cursor (default 10,000). */
  maxQueued?: number;
}

export interface SubscribeOptions {
  /** Resume after this cursor (a `message` notification's or ReadMessages' `cursor`). */
  after?: string;
  /** Ends the iteration. */
  signal?: AbortSignal;
  /** Called on every reconnect, with how the last socket closed. */
  onReconnect?: (close: WsClose | null) => void;
  /** Called each time the node has answered the subscription (its id): notifications follow. */
  onSubscribed?: (id: string) => void;
}

export class SubscriptionEndedError extends Error {
  override name = "SubscriptionEndedError";
}

const PAGE = 500;

export class MessagesClient {
  readonly rpc: RingsRpcClient;

  constructor(
    readonly url: string,
    private readonly options: MessagesClientOptions = {},
  ) {
    this.rpc = new RingsRpcClient(url, { timeoutMs: options.timeoutMs ?? 10_000 });
  }

  post(request: PostMessageRequest, options?: CallOptions): Promise<PostMessageResult> {
    return this.rpc.postMessage(request, options);
  }

  read(request: ReadMessagesRequest, options?: CallOptions): Promise<ReadMessagesResult> {
    return this.rpc.readMessages(request, options);
  }

  /**
   * Every final message of `app` this member holds, in the agreed order (from `after`), page by
   * page. With `verify` (chain id, ring, the ring's read keys), each comes with its signed log node
   * and is checked against it (replayVerify.ts): a ReplayVerificationError (errors.ts) when a member
   * altered one. What a member leaves out is not caught here: `replayFromReplica` checks the cuts,
   * from a replica node or from any member (members serve their ring's logs over GetReplicaLog).
   */
  async replay(app: string, options: { after?: string; signal?: AbortSignal; verify?: ReplayVerification } = {}): Promise<{ messages: MessageItem[]; cursor: string | null; finalRound: number }> {
    const messages: MessageItem[] = [];
    let cursor = options.after ?? null;
    const limit = options.verify === undefined ? PAGE : LIMITS.maxReadMessagesWithNodes;
    for (;;) {
      const call = options.signal === undefined ? {} : { signal: options.signal };
      const request: ReadMessagesRequest = { app, limit, ...(cursor === null ? {} : { after: cursor }), ...(options.verify === undefined ? {} : { withNodes: true }) };
      const page = await this.read(request, call);
      const final = page.messages.filter((item) => item.status === "final");
      if (options.verify !== undefined) for (const item of final) await verifyMessageItem(item, options.verify);
      messages.push(...final);
      cursor = page.cursor;
      if (final.length < limit) return { messages, cursor, finalRound: page.finalRound };
    }
  }

  /** `message` notifications of `app`: tentative, final, dropped; reconnecting and resuming until `signal` aborts. */
  async *subscribe(app: string, options: SubscribeOptions = {}): AsyncGenerator<MessageNotification> {
    let cursor = options.after ?? null;
    for await (const notification of this.follow<MessageNotification>(
      NOTIFICATIONS.message,
      () => (cursor === null ? { app } : { app, after: cursor }),
      SUBSCRIPTION_METHODS.SubscribeMessages,
      options,
    )) {
      if (notification.state === "final") cursor = notification.cursor;
      yield notification;
    }
  }

  /** `head` notifications, one per flushed round from now on (rounds flushed while disconnected are not sent again). */
  subscribeHeads(options: Omit<SubscribeOptions, "after"> = {}): AsyncGenerator<HeadNotification> {
    return this.follow<HeadNotification>(NOTIFICATIONS.head, () => ({}), SUBSCRIPTION_METHODS.SubscribeHeads, options);
  }

  private async *follow<T extends { subscription: string }>(notification: string, params: () => object, method: string, options: SubscribeOptions): AsyncGenerator<T> {
    const { signal } = options;
    let pause = this.options.retryMs ?? 250;
    let lastClose: WsClose | null = null;
    let first = true;
    const aborted = () => signal?.aborted === true;
    while (!aborted()) {
      if (!first) {
        options.onReconnect?.(lastClose);
        await sleep(pause, signal);
        pause = Math.min(pause * 2, 5_000);
        if (aborted()) return;
      }
      first = false;
      const queue = new AsyncQueue<T>(this.options.maxQueued ?? 10_000);
      let connection: WsConnection;
      try {
        connection = await WsConnection.open(this.url, { timeoutMs: this.options.timeoutMs ?? 10_000, ...(this.options.headers === undefined ? {} : { headers: this.options.headers }), ...(signal === undefined ? {} : { signal }) });
      } catch {
        continue;
      }
      const onAbort = () => connection.close(1000, "unsubscribed");
      signal?.addEventListener("abort", onAbort, { once: true });
      let id: string | null = null;
      let overflowed = false;
      const early: T[] = [];
      let earlyLost = false;
      const take = (item: T) => {
        if (overflowed || queue.push(item)) return;
        // Nothing after the lost one may be yielded (the cursor would skip it): resume from the last one yielded.
        overflowed = true;
        connection.close(1000, "reader too slow: resuming from the cursor");
      };
      connection.onNotification(notification, (value) => {
        const item = value as T;
        if (id === null) {
          if (early.length < (this.options.maxQueued ?? 10_000)) early.push(item);
          else earlyLost = true;
        } else if (item.subscription === id) take(item);
      });
      connection.onClose((close) => {
        lastClose = close;
        queue.end();
      });
      try {
        id = (await connection.call<SubscribeResult>(method, params())).id;
        for (const item of early.splice(0)) if (item.subscription === id) take(item);
        if (earlyLost && !overflowed) {
          overflowed = true;
          connection.close(1000, "reader too slow: resuming from the cursor");
        }
        pause = this.options.retryMs ?? 250;
        options.onSubscribed?.(id);
        for await (const item of queue) yield item;
      } catch (error) {
        if (error instanceof RingsRpcError && error.code !== RpcErrorCode.UnknownCursor && error.code !== RpcErrorCode.Unavailable) throw error;
      } finally {
        signal?.removeEventListener("abort", onAbort);
        connection.close(1000, "client done");
      }
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
