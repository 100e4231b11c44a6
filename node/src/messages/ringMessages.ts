/**
 * The ring's messages on a member node: the message book (every member's messages in the agreed
 * order), the JSON-RPC methods the node's endpoint serves for them, and what the rounds ask
 * (`waiting`, `flushed`: rounds/roundWork.ts). Messages are encrypted with the ring's read key when
 * the node holds one (`<dataDir>/ring-keys.json`, as `ring-node replica` keeps it); otherwise they
 * are logged as the node's other entries are, in the clear.
 */
import { join } from "node:path";
import type { FlushedRoundHead } from "../api/subscriptions.js";
import type { OwnLog } from "../log/ownLog.js";
import type { RpcMethod } from "../jsonrpc/dispatcher.js";
import { readRingKeys, RING_KEYS_FILE } from "../replica/ringKeyFile.js";
import { MessageBook, type CutSeq, type MessageBookComponents } from "./messageBook.js";
import { messageRpcMethods } from "./messageRpc.js";
import { SubscriptionHub } from "./subscriptionHub.js";
import { subscriptionRpcMethods } from "./subscriptionRpc.js";

export interface RingMessagesComponents {
  logs: MessageBookComponents["logs"];
  ownLog: Pick<OwnLog, "append" | "author">;
  ring: string;
  readKey?: Uint8Array;
}

export class RingMessages {
  readonly book: MessageBook;
  readonly methods: Record<string, RpcMethod>;
  /** The subscriptions, served on the WebSocket endpoint only. */
  readonly wsMethods: Record<string, RpcMethod>;
  readonly hub: SubscriptionHub;
  readonly encrypted: boolean;
  private readonly unwatch: () => void;

  constructor(components: RingMessagesComponents) {
    const { logs, ownLog, ring, readKey } = components;
    const keyed = readKey === undefined ? {} : { readKey };
    this.book = new MessageBook({ logs, ring, ...keyed });
    this.methods = messageRpcMethods({ book: this.book, ownLog, ring, ...keyed });
    this.hub = new SubscriptionHub({ source: this.book.order });
    this.wsMethods = subscriptionRpcMethods({ hub: this.hub, book: this.book });
    this.unwatch = this.book.onChange(() => this.hub.changed());
    this.encrypted = readKey !== undefined;
  }

  /** The messages of the node whose data lives in `dataDir`, with the ring's read key if it keeps one there. */
  static async open(components: Omit<RingMessagesComponents, "readKey">, dataDir: string): Promise<RingMessages> {
    const keys = await readRingKeys(join(dataDir, RING_KEYS_FILE));
    const messages = new RingMessages(keys === null ? components : { ...components, readKey: keys.readKey });
    await messages.book.start();
    return messages;
  }

  stop(): void {
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
