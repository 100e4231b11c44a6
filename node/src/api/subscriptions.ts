/**
 * The live subscriptions of the ring node's JSON-RPC API over WebSocket (the same port as the HTTP
 * endpoint, upgraded): method and notification names, params schemas, notification shapes and the
 * limits. Shared by the server (node/src/messages, node/src/jsonrpc) and the client (node/src/client).
 */
import { z } from "zod";
import { LIMITS } from "./schemas.js";
import type { MessageItem } from "./results.js";

export const SUBSCRIPTION_METHODS = {
  SubscribeMessages: "SubscribeMessages",
  SubscribeHeads: "SubscribeHeads",
  Unsubscribe: "Unsubscribe",
} as const;

/** The notifications' `method`: a JSON-RPC request without `id`, params `{ subscription, ... }`. */
export const NOTIFICATIONS = {
  message: "message",
  head: "head",
} as const;

export const WS_LIMITS = {
  /** Subscriptions one socket may hold at once (one more: -32018). */
  maxSubscriptionsPerSocket: 16,
  /** WebSocket connections at once per endpoint (one more: the upgrade is refused with HTTP 503). */
  maxSockets: 256,
  /** A text frame's bytes (a bigger one: -32011; one over twice this: the socket is closed with 1009). */
  maxFrameBytes: 256 * 1024,
  /** Bytes queued unsent on a socket; past this the consumer is too slow and is closed with 4008. */
  maxBufferedBytes: 4 * 1024 * 1024,
  /** Requests of one socket being answered at once (one more: -32012). */
  maxInFlightPerSocket: 32,
} as const;

/** Close codes the server sends (besides the WebSocket standard 1001 going away, 1009 too big). */
export const WS_CLOSE_CODES = {
  /** The socket's unsent notifications exceeded WS_LIMITS.maxBufferedBytes. */
  SlowConsumer: 4008,
} as const;

const cursorString = z.string().min(1).max(512);

export const subscribeMessagesParamsSchema = z
  .object({
    app: z.string().min(1).max(LIMITS.maxMessageNameLength),
    after: cursorString.optional(),
  })
  .strict();

export const subscribeHeadsParamsSchema = z.object({}).strict();

export const unsubscribeParamsSchema = z.object({ id: z.string().min(1).max(64) }).strict();

export type SubscribeMessagesRequest = z.infer<typeof subscribeMessagesParamsSchema>;

export interface SubscribeResult {
  /** The subscription's id: its notifications carry it as `subscription`; `Unsubscribe { id }` ends it. */
  id: string;
}

/**
 * `tentative`: held, no flushed cut covers it yet. `final`: a flushed round's cut covers it, at this
 * round and position for good. `dropped`: it was sent as tentative and will never be final (its
 * author's log forked and the flushed cut took the other branch, or the fork was proven).
 */
export type MessageState = "tentative" | "final" | "dropped";

export interface MessageNotification {
  subscription: string;
  state: MessageState;
  /** The round it is final in (final only), else null. */
  round: number | null;
  /**
   * Where to resume: `SubscribeMessages { app, after: cursor }` sends every final message after
   * this one (and the tentative ones again). On a tentative or dropped message, the cursor of the
   * last final one sent before it (null before any).
   */
  cursor: string | null;
  message: MessageItem;
}

/** A member head of a flushed round's cut. */
export interface CutHeadItem {
  author: string;
  seq: number;
  cid: string;
}

/** A flushed round as this node learnt it (its proposal checked against the flushed ring head). */
export interface FlushedRoundHead {
  round: number;
  /** The ring log node's head (bytes32 hex) the round flushed on chain. */
  ringNodeHead: string;
  prevHead: string;
  /** The member heads the round's ring log node commits. */
  cut: CutHeadItem[];
  /** The flush transaction and its block, when this node saw them (null: learnt from logs or the ring log). */
  tx: string | null;
  block: number | null;
}

export interface HeadNotification extends FlushedRoundHead {
  subscription: string;
}
