/**
 * The subscription hub and its message feeds (node/src/messages/subscriptionHub.ts, messageFeed.ts)
 * over the real agreed order (order.ts) fed with plain values; a recording connection stands in
 * for the WebSocket (the WebSocket server itself: test/node/jsonrpc/wsServer.test.ts).
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import type { HeadNotification, MessageNotification } from "../../../node/src/api/subscriptions.js";
import type { RpcConnection } from "../../../node/src/jsonrpc/dispatcher.js";
import { decodeCursor } from "../../../node/src/messages/cursor.js";
import { TooManySubscriptionsError } from "../../../node/src/messages/errors.js";
import { MessageOrder, type LoggedMessage } from "../../../node/src/messages/order.js";
import { SubscriptionHub } from "../../../node/src/messages/subscriptionHub.js";

const A = "0x00000000000000000000000000000000000000aa";
const B = "0x00000000000000000000000000000000000000bb";

function message(author: string, seq: number, app = "chat"): LoggedMessage {
  return { cid: `${author}/${seq}`, author, seq, app, payload: { txt: `${author.slice(-2)}${seq}` } };
}

/** A connection that records what it is sent. */
class RecordingConnection implements RpcConnection {
  static next = 1;
  readonly id = `test-${RecordingConnection.next++}`;
  closed = false;
  readonly sent: Array<{ method: string; params: unknown }> = [];
  private readonly listeners: Array<() => void> = [];

  notify(method: string, params: unknown): boolean {
    if (this.closed) return false;
    this.sent.push({ method, params });
    return true;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  onClose(listener: () => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    this.closed = true;
    for (const listener of this.listeners.splice(0)) listener();
  }

  messages(): MessageNotification[] {
    return this.sent.filter((sent) => sent.method === "message").map((sent) => sent.params as MessageNotification);
  }
}

/** An order holding `messages`, every author's log scanned to its last message. */
function orderWith(messages: LoggedMessage[]): MessageOrder {
  const order = new MessageOrder();
  for (const m of messages) {
    order.addMessage(m);
    order.noteNode(m.author, m.seq, m.cid);
    order.noteScanned(m.author, m.seq + 1);
  }
  return order;
}

function add(order: MessageOrder, m: LoggedMessage): void {
  order.addMessage(m);
  order.noteNode(m.author, m.seq, m.cid);
  order.noteScanned(m.author, m.seq + 1);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
const states = (connection: RecordingConnection) => connection.messages().map((n) => `${n.state}:${n.message.cid}${n.round === null ? "" : `@${n.round}`}`);

describe("messages: the subscription hub", () => {
  it("sends the final messages after the cursor in the agreed order, then the tentative ones", async () => {
    const order = orderWith([message(A, 0), message(B, 0), message(A, 1)]);
    order.addCut({ round: 1, heads: new Map([[A, 0], [B, 0]]) });
    const hub = new SubscriptionHub({ source: order });
    const connection = new RecordingConnection();
    hub.subscribeMessages(connection, "chat", null);
    await settle();
    expect(states(connection)).to.deep.equal([`final:${A}/0@1`, `final:${B}/0@1`, `tentative:${A}/1`]);
  });

  it("sends a tentative message again as final once a flushed cut covers it, and nothing twice", async () => {
    const order = orderWith([message(A, 0)]);
    const hub = new SubscriptionHub({ source: order });
    const connection = new RecordingConnection();
    hub.subscribeMessages(connection, "chat", null);
    await settle();
    hub.changed();
    await settle();
    order.addCut({ round: 1, heads: new Map([[A, 0]]) });
    hub.changed();
    hub.changed();
    await settle();
    expect(states(connection)).to.deep.equal([`tentative:${A}/0`, `final:${A}/0@1`]);
    const final = connection.messages()[1] as MessageNotification;
    expect(decodeCursor("chat", final.cursor as string)).to.deep.equal({ round: 1, author: A, seq: 0 });
  });

  it("resumed from a final notification's cursor, sends every later final message once and none before it", async () => {
    const order = orderWith([message(A, 0), message(B, 0), message(A, 1), message(B, 1)]);
    order.addCut({ round: 1, heads: new Map([[A, 0], [B, 0]]) });
    const hub = new SubscriptionHub({ source: order });
    const first = new RecordingConnection();
    hub.subscribeMessages(first, "chat", null);
    await settle();
    const cursor = (first.messages()[0] as MessageNotification).cursor as string;
    first.close();
    order.addCut({ round: 2, heads: new Map([[A, 1], [B, 1]]) });
    const second = new RecordingConnection();
    hub.subscribeMessages(second, "chat", decodeCursor("chat", cursor));
    await settle();
    // The client had read only the first notification when its connection went.
    const finals = [first.messages()[0] as MessageNotification, ...second.messages()].filter((n) => n.state === "final").map((n) => n.message.cid);
    expect(finals).to.deep.equal([`${A}/0`, `${B}/0`, `${A}/1`, `${B}/1`]);
    expect(hub.size).to.equal(1);
  });

  it("sends a forked author's tentative messages as dropped, and they never become final", async () => {
    const order = orderWith([message(A, 0), message(B, 0), message(B, 1)]);
    const hub = new SubscriptionHub({ source: order });
    const connection = new RecordingConnection();
    hub.subscribeMessages(connection, "chat", null);
    await settle();
    order.forked(B);
    hub.changed();
    await settle();
    order.addCut({ round: 1, heads: new Map([[A, 0]]) });
    add(order, message(B, 2));
    hub.changed();
    await settle();
    expect(states(connection)).to.deep.equal([`tentative:${A}/0`, `tentative:${B}/0`, `tentative:${B}/1`, `dropped:${B}/0`, `dropped:${B}/1`, `final:${A}/0@1`]);
  });

  it("drops the held branch when a flushed cut names another head CID for its author, and finalises nothing of that round", async () => {
    const order = orderWith([message(A, 0), message(B, 0), message(B, 1)]);
    const hub = new SubscriptionHub({ source: order });
    const connection = new RecordingConnection();
    hub.subscribeMessages(connection, "chat", null);
    await settle();
    order.addCut({ round: 1, heads: new Map([[A, 0], [B, 1]]), cids: new Map([[A, `${A}/0`], [B, "bafy-the-other-branch"]]) });
    hub.changed();
    await settle();
    expect(order.finalRound).to.equal(0);
    expect(states(connection)).to.deep.equal([`tentative:${A}/0`, `tentative:${B}/0`, `tentative:${B}/1`, `dropped:${B}/0`, `dropped:${B}/1`]);
  });

  it("refuses a subscription past the per-connection bound, and counts another connection apart", () => {
    const hub = new SubscriptionHub({ source: new MessageOrder(), maxPerConnection: 2 });
    const connection = new RecordingConnection();
    hub.subscribeHeads(connection);
    hub.subscribeMessages(connection, "chat", null);
    expect(() => hub.subscribeHeads(connection)).to.throw(TooManySubscriptionsError);
    expect(hub.subscribeHeads(new RecordingConnection())).to.be.a("string");
  });

  it("unsubscribes only a subscription of the same connection, and ends a closed connection's subscriptions", () => {
    const hub = new SubscriptionHub({ source: new MessageOrder() });
    const mine = new RecordingConnection();
    const other = new RecordingConnection();
    const id = hub.subscribeHeads(mine);
    expect(hub.unsubscribe(other, id)).to.equal(false);
    expect(hub.unsubscribe(mine, "sub-unknown")).to.equal(false);
    expect(hub.unsubscribe(mine, id)).to.equal(true);
    expect(hub.unsubscribe(mine, id)).to.equal(false);
    hub.subscribeHeads(other);
    hub.subscribeMessages(other, "chat", null);
    other.close();
    expect(hub.size).to.equal(0);
  });

  it("tells every heads listener each flushed round once, in order", () => {
    const hub = new SubscriptionHub({ source: new MessageOrder() });
    const connection = new RecordingConnection();
    const id = hub.subscribeHeads(connection);
    const head = (round: number) => ({ round, ringNodeHead: `0x${String(round).padStart(64, "0")}`, prevHead: `0x${"0".repeat(64)}`, cut: [{ author: A, seq: round, cid: `${A}/${round}` }], tx: null, block: null });
    hub.head(head(1));
    hub.head(head(2));
    hub.head(head(2));
    hub.head(head(1));
    const sent = connection.sent.map((s) => s.params as HeadNotification);
    expect(sent.map((s) => [s.subscription, s.round])).to.deep.equal([[id, 1], [id, 2]]);
    expect(sent[0]?.cut).to.deep.equal([{ author: A, seq: 1, cid: `${A}/1` }]);
  });
});
