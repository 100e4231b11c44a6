/**
 * The ring's messages on a member node: the message book (every member's messages in the agreed
 * order), the JSON-RPC methods the node's endpoint serves for them, and what the rounds ask
 * (`waiting`, `flushed`: rounds/roundWork.ts). Messages are sealed with the ring's read key of the
 * current epoch and read back through the same keys (replica/readKeys.ts), unless the ring is
 * `public` (config `publicRing`), when they are logged in the clear.
 */
import type { FlushedRoundHead } from "../api/subscriptions.js";
import type { OwnLog } from "../log/ownLog.js";
import type { RpcMethod } from "../jsonrpc/dispatcher.js";
import type { PayloadReader, PayloadSealer } from "../replica/sealedLog.js";
import { MessageBook, type CutSeq, type MessageBookComponents } from "./messageBook.js";
import { messageRpcMethods } from "./messageRpc.js";
import { SubscriptionHub } from "./subscriptionHub.js";
import { subscriptionRpcMethods } from "./subscriptionRpc.js";

export interface RingMessageKeys extends PayloadReader, PayloadSealer {
  readonly isPublic: boolean;
  /** Calls the listener when a key was opened (messages that waited for it are read then). */
  onChange(listener: () => void): () => void;
}

export interface RingMessagesComponents {
  logs: MessageBookComponents["logs"];
  ownLog: Pick<OwnLog, "append" | "author">;
  ring: string;
  /** The ring's read keys; without them messages are written and read in the clear. */
  readKeys?: RingMessageKeys;
}

export class RingMessages {
  readonly book: MessageBook;
  readonly methods: Record<string, RpcMethod>;
  /** The subscriptions, served on the WebSocket endpoint only. */
  readonly wsMethods: Record<string, RpcMethod>;
  readonly hub: SubscriptionHub;
  readonly encrypted: boolean;
  private readonly unsubscribe: (() => void) | undefined;
  private readonly unwatch: () => void;

  constructor(components: RingMessagesComponents) {
    const { logs, ownLog, readKeys } = components;
    this.book = new MessageBook({ logs, ...(readKeys === undefined ? {} : { reader: readKeys }) });
    this.methods = messageRpcMethods({ book: this.book, ownLog, ...(readKeys === undefined ? {} : { sealer: readKeys }) });
    this.hub = new SubscriptionHub({ source: this.book.order });
    this.wsMethods = subscriptionRpcMethods({ hub: this.hub, book: this.book });
    this.unwatch = this.book.onChange(() => this.hub.changed());
    this.encrypted = readKeys !== undefined && !readKeys.isPublic;
    this.unsubscribe = readKeys?.onChange(() => void this.book.scan().catch(() => undefined));
  }

  /** The messages of a member node, read up to now. */
  static async open(components: RingMessagesComponents): Promise<RingMessages> {
    const messages = new RingMessages(components);
    await messages.book.start();
    return messages;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unwatch();
    this.hub.close();
    this.book.stop();
  }

  waiting(isMember: (address: string) => boolean): boolean {
    return this.book.waiting(isMember);
  }

  flushed(round: number, cut: readonly CutSeq[], head?: FlushedRoundHead): void {
    this.book.flushed(round, cut);
    if (head !== undefined) this.hub.head(head);
  }

  /** New messages were read from the logs (the rounds look at once). */
  onWork(listener: () => void): () => void {
    return this.book.onMessages(listener);
  }
}
