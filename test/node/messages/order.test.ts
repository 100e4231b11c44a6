/**
 * The agreed order of messages (node/src/messages/order.ts): a pure function of the flushed rounds'
 * cuts and the members' log entries, so plain values stand in for the logs here.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { decodeCursor, encodeCursor } from "../../../node/src/messages/cursor.js";
import { UnknownCursorError } from "../../../node/src/messages/errors.js";
import { MessageOrder, type LoggedMessage, type RoundCut } from "../../../node/src/messages/order.js";

const A = "0x00000000000000000000000000000000000000Aa";
const B = "0x00000000000000000000000000000000000000bB";

function message(author: string, seq: number, app = "chat"): LoggedMessage {
  return { cid: `${author}/${seq}`, author, seq, app, payload: { txt: `${author.slice(-2)}${seq}` } };
}

const cut = (round: number, heads: Record<string, number>): RoundCut => ({ round, heads: new Map(Object.entries(heads)) });

/** An order fed with `messages` and `cuts`, every author scanned up to `scanned`. */
function orderOf(messages: LoggedMessage[], cuts: RoundCut[], scanned: Record<string, number>): MessageOrder {
  const order = new MessageOrder();
  for (const m of messages) order.addMessage(m);
  for (const [author, length] of Object.entries(scanned)) order.noteScanned(author, length);
  for (const c of cuts) order.addCut(c);
  return order;
}

const sequence = (order: MessageOrder, app = "chat") => order.read(app, null, 100).items.map((item) => [item.message.cid, item.round]);

describe("messages: the agreed order", () => {
  const messages = [message(B, 0), message(A, 0), message(A, 1), message(B, 2), message(A, 3)];
  const cuts = [cut(1, { [A]: 1, [B]: 0 }), cut(2, { [A]: 3, [B]: 2 })];
  const scanned = { [A]: 4, [B]: 3 };

  it("orders final messages by round, then author address, then seq", () => {
    expect(sequence(orderOf(messages, cuts, scanned))).to.deep.equal([
      [`${A}/0`, 1], [`${A}/1`, 1], [`${B}/0`, 1], [`${A}/3`, 2], [`${B}/2`, 2],
    ]);
  });

  it("gives the same sequence whatever order messages, cuts and scans arrive in", () => {
    const reversed = new MessageOrder();
    for (const c of [...cuts].reverse()) reversed.addCut(c);
    for (const m of [...messages].reverse()) reversed.addMessage(m);
    reversed.noteScanned(B, 3);
    reversed.noteScanned(A, 4);
    expect(sequence(reversed)).to.deep.equal(sequence(orderOf(messages, cuts, scanned)));
  });

  it("delivers a message not covered by any cut as tentative, then as final once a round covers it", () => {
    const order = orderOf([message(A, 0)], [], { [A]: 1 });
    expect(sequence(order)).to.deep.equal([[`${A}/0`, null]]);
    order.addCut(cut(1, { [A]: 0 }));
    expect(sequence(order)).to.deep.equal([[`${A}/0`, 1]]);
  });

  it("keeps a covered message tentative until every node the cut covers has been scanned here", () => {
    const order = orderOf([message(A, 0), message(B, 1)], [cut(1, { [A]: 0, [B]: 1 })], { [A]: 1, [B]: 1 });
    expect(sequence(order).map(([, round]) => round)).to.deep.equal([null, null]);
    order.noteScanned(B, 2);
    expect(sequence(order).map(([, round]) => round)).to.deep.equal([1, 1]);
  });

  it("counts a round only once every earlier round is known", () => {
    const order = orderOf([message(A, 0)], [cut(2, { [A]: 0 })], { [A]: 1 });
    expect(order.finalRound).to.equal(0);
    expect(sequence(order)).to.deep.equal([[`${A}/0`, null]]);
    order.addCut(cut(1, { [A]: 0 }));
    expect(sequence(order)).to.deep.equal([[`${A}/0`, 1]]);
  });

  it("puts a message learnt after its round became final into its place in that round", () => {
    const order = orderOf([message(B, 0)], [cut(1, { [A]: 0, [B]: 0 })], { [A]: 1, [B]: 1 });
    expect(sequence(order)).to.deep.equal([[`${B}/0`, 1]]);
    order.addMessage(message(A, 0));
    expect(sequence(order)).to.deep.equal([[`${A}/0`, 1], [`${B}/0`, 1]]);
  });

  it("pages through the final messages with the position of the last one given", () => {
    const order = orderOf(messages, cuts, scanned);
    const first = order.read("chat", null, 2);
    expect(first.items.map((item) => item.message.cid)).to.deep.equal([`${A}/0`, `${A}/1`]);
    const second = order.read("chat", first.last, 2);
    expect(second.items.map((item) => item.message.cid)).to.deep.equal([`${B}/0`, `${A}/3`]);
    const third = order.read("chat", second.last, 2);
    expect(third.items.map((item) => item.message.cid)).to.deep.equal([`${B}/2`]);
    expect(order.read("chat", third.last, 2).items).to.deep.equal([]);
  });

  it("adds the tentative messages after the last final one, and the cursor stays on the last final one", () => {
    const order = orderOf([message(A, 0), message(A, 1)], [cut(1, { [A]: 0 })], { [A]: 2 });
    const page = order.read("chat", null, 10);
    expect(page.items.map((item) => [item.message.cid, item.round])).to.deep.equal([[`${A}/0`, 1], [`${A}/1`, null]]);
    expect(page.last).to.deep.equal({ round: 1, author: A, seq: 0 });
  });

  it("reads only the messages of the app asked for", () => {
    const order = orderOf([message(A, 0, "chat"), message(A, 1, "contacts"), message(B, 0, "chat")], [cut(1, { [A]: 1, [B]: 0 })], { [A]: 2, [B]: 1 });
    expect(sequence(order, "contacts")).to.deep.equal([[`${A}/1`, 1]]);
    expect(sequence(order, "chat")).to.deep.equal([[`${A}/0`, 1], [`${B}/0`, 1]]);
  });

  it("wants a round while a message is covered by no known cut, and none once one covers it", () => {
    const order = orderOf([message(A, 0)], [], { [A]: 1 });
    expect(order.waiting()).to.equal(true);
    order.addCut(cut(1, { [A]: 0 }));
    expect(order.waiting()).to.equal(false);
  });

  it("wants no round for a message whose author is no member any more", () => {
    const order = orderOf([message(A, 0)], [], { [A]: 1 });
    expect(order.waiting((author) => author !== A)).to.equal(false);
  });

  it("wants no round when no message was posted", () => {
    expect(orderOf([], [cut(1, { [A]: 5 })], { [A]: 6 }).waiting()).to.equal(false);
  });

  it("knows a final position of the app and no other", () => {
    const order = orderOf(messages, cuts, scanned);
    expect(order.isFinalPosition("chat", { round: 1, author: A, seq: 1 })).to.equal(true);
    expect(order.isFinalPosition("chat", { round: 2, author: A, seq: 1 })).to.equal(false);
    expect(order.isFinalPosition("contacts", { round: 1, author: A, seq: 1 })).to.equal(false);
  });
});

describe("messages: cursors", () => {
  it("decodes the position it encodes", () => {
    expect(decodeCursor("chat", encodeCursor("chat", { round: 3, author: A, seq: 7 }))).to.deep.equal({ round: 3, author: A.toLowerCase(), seq: 7 });
  });

  it("refuses a cursor given for another app", () => {
    expect(() => decodeCursor("contacts", encodeCursor("chat", { round: 3, author: A, seq: 7 }))).to.throw(UnknownCursorError, /another app/);
  });

  it("refuses a garbled cursor", () => {
    expect(() => decodeCursor("chat", "not a cursor!")).to.throw(UnknownCursorError);
    expect(() => decodeCursor("chat", Buffer.from("garbage").toString("base64url"))).to.throw(UnknownCursorError);
  });
});
