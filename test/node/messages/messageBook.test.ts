/**
 * Message entries (node/src/messages/entry.ts) and the message book that reads them from the logs
 * (messageBook.ts): signed log nodes held by a small in-memory stand-in for the log store.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { Wallet } from "ethers";
import { LIMITS } from "../../../node/src/api/schemas.js";
import { LOG_NODE_VERSION, signLogNode, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import type { LogStore } from "../../../node/src/log/store.js";
import { messageEntry, openMessage, sealMessage } from "../../../node/src/messages/entry.js";
import { MessageTooLargeError, PayloadNotCborError } from "../../../node/src/messages/errors.js";
import { MessageBook } from "../../../node/src/messages/messageBook.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";
import { keyReader } from "../../../node/src/replica/sealedLog.js";

const RING = "0x00000000000000000000000000000000000000C0";
const domain = { name: "Ring", version: "1", chainId: 31337, verifyingContract: RING };
const author = Wallet.createRandom();
const { readKey } = generateRingKeys();

/** A log store stand-in holding one author's nodes with these payloads. */
async function logsOf(payloads: unknown[]): Promise<Pick<LogStore, "authors" | "length" | "nodeAt" | "onKept">> {
  const nodes: EncodedLogNode[] = [];
  for (const [seq, payload] of payloads.entries()) {
    const prev = nodes.at(-1);
    nodes.push(await signLogNode({ v: LOG_NODE_VERSION, ring: RING, author: author.address, seq, prev: prev === undefined ? [] : [prev.cid], payload }, author, domain));
  }
  return {
    authors: () => [author.address],
    length: () => nodes.length,
    nodeAt: (_author, seq) => Promise.resolve(nodes[seq] ?? null),
    onKept: () => () => undefined,
  };
}

const context = { ring: RING, author: author.address };

describe("messages: entries", () => {
  it("opens the entry it sealed with the read key", () => {
    const sealed = sealMessage(messageEntry({ app: "chat", type: "text", payload: { txt: "hi" } }), readKey, context);
    expect(openMessage(sealed, readKey, context)).to.deep.equal({ app: "chat", type: "text", payload: { txt: "hi" } });
  });

  it("carries no readable entry in the clear once sealed with the read key", () => {
    const sealed = sealMessage(messageEntry({ app: "chat", payload: { txt: "secret" } }), readKey, context);
    expect(Buffer.from(JSON.stringify(sealed)).includes("secret")).to.equal(false);
    expect(openMessage(sealed, undefined, context)).to.equal(null);
  });

  it("does not open an envelope sealed for another author", () => {
    const sealed = sealMessage(messageEntry({ app: "chat", payload: 1 }), readKey, context);
    expect(openMessage(sealed, readKey, { ring: RING, author: Wallet.createRandom().address })).to.equal(null);
  });

  it("refuses a message over the limit", () => {
    expect(() => messageEntry({ app: "chat", payload: "x".repeat(LIMITS.maxMessageBytes) })).to.throw(MessageTooLargeError);
  });

  it("refuses a payload dag-cbor cannot encode", () => {
    expect(() => messageEntry({ app: "chat", payload: Number.POSITIVE_INFINITY })).to.throw(PayloadNotCborError);
  });

  it("reads other entries as no message", () => {
    expect(openMessage({ type: "job" }, readKey, context)).to.equal(null);
    expect(openMessage({ message: { app: 3, payload: 1 } }, readKey, context)).to.equal(null);
  });
});

describe("messages: the message book", () => {
  it("finds the messages among a log's entries, with their author and seq", async () => {
    const book = new MessageBook({ logs: await logsOf([{ type: "job" }, { message: { app: "chat", payload: "a" } }, { message: { app: "chat", payload: "b" } }]) });
    await book.scan();
    expect(book.order.read("chat", null, 10).items.map((item) => [item.message.seq, item.message.payload, item.round])).to.deep.equal([[1, "a", null], [2, "b", null]]);
  });

  it("reads encrypted messages with the ring's read key", async () => {
    const logs = await logsOf([sealMessage(messageEntry({ app: "chat", payload: "sealed" }), readKey, context)]);
    const book = new MessageBook({ logs, reader: keyReader(readKey, RING) });
    await book.scan();
    expect(book.order.read("chat", null, 10).items.map((item) => item.message.payload)).to.deep.equal(["sealed"]);
  });

  it("makes a message final once a flushed round's cut covers its node", async () => {
    const book = new MessageBook({ logs: await logsOf([{ message: { app: "chat", payload: "a" } }]) });
    await book.scan();
    expect(book.waiting()).to.equal(true);
    book.flushed(1, [{ author: author.address, seq: 0 }]);
    expect(book.waiting()).to.equal(false);
    expect(book.order.read("chat", null, 10).items.map((item) => item.round)).to.deep.equal([1]);
  });

  it("tells its listeners when a scan finds new messages, and only then", async () => {
    const book = new MessageBook({ logs: await logsOf([{ type: "job" }, { message: { app: "chat", payload: "a" } }]) });
    let told = 0;
    book.onMessages(() => told++);
    await book.scan();
    await book.scan();
    expect(told).to.equal(1);
  });

  it("finalises a message when the cut names its node's CID, and not when the cut names another branch", async () => {
    const logs = await logsOf([{ message: { app: "chat", payload: "a" } }]);
    const held = (await logs.nodeAt(author.address, 0))?.cid;
    const ours = new MessageBook({ logs });
    await ours.scan();
    ours.flushed(1, [{ author: author.address, seq: 0, cid: held }]);
    expect(ours.order.read("chat", null, 10).items.map((item) => item.round)).to.deep.equal([1]);
    const forked = new MessageBook({ logs });
    await forked.scan();
    forked.flushed(1, [{ author: author.address, seq: 0, cid: "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy" }]);
    expect(forked.order.finalRound).to.equal(0);
    expect(forked.order.read("chat", null, 10).items).to.deep.equal([]);
    expect(forked.order.isDropped(held?.toString() as string)).to.equal(true);
  });

  it("drops an author's tentative messages when fork evidence against it is recorded, and tells its change listeners", async () => {
    const base = await logsOf([{ message: { app: "chat", payload: "a" } }]);
    let onFork: ((author: string) => void) | null = null;
    const book = new MessageBook({ logs: { ...base, onFork: (listener) => ((onFork = listener), () => undefined), forks: () => Promise.resolve([]) } });
    await book.start();
    let changes = 0;
    book.onChange(() => changes++);
    expect(book.order.tentativeOf("chat").length).to.equal(1);
    (onFork as unknown as (author: string) => void)(author.address);
    expect(book.order.tentativeOf("chat")).to.deep.equal([]);
    expect(changes).to.equal(1);
    book.stop();
  });
});
