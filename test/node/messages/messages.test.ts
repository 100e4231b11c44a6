/**
 * Messages across three `ring-node` processes on loopback with a real chain (`hardhat node` over
 * JSON-RPC): posted on two members, finalised by the rounds they start, read in the same agreed
 * order on every member; bad requests answered with their JSON-RPC error, the node intact. The
 * members exchange the ring's read key in key blocks (replica/readKeys.ts), so messages (and every
 * rounds entry) are logged encrypted with it.
 */
import { join } from "node:path";
import { expect } from "chai";
import { after, afterEach, before, describe, it } from "mocha";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { LIMITS } from "../../../node/src/api/schemas.js";
import { RingsRpcClient, RingsRpcError, type MessageItem, type ReadMessagesResult } from "../../../node/src/client/ringsRpcClient.js";
import { decodeLogNode } from "../../../node/src/core/logNode.js";
import { LogJournal } from "../../../node/src/log/journal.js";
import { encodeCursor } from "../../../node/src/messages/cursor.js";
import { asMessage } from "../../../node/src/messages/entry.js";
import { decryptPayload, isEncryptedPayload } from "../../../node/src/replica/payloadCipher.js";
import { READ_KEYS_FILE, readEpochKeys } from "../../../node/src/replica/readKeyFile.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { memberJsonRpcUrl } from "../../../scripts/devnet/jsonRpcUrl.js";

const APP = "chat";

/** The member's JSON-RPC client, from the `jsonrpc.json` its running process wrote. */
async function clientOf(world: RoundsRing, index: number): Promise<RingsRpcClient> {
  return new RingsRpcClient(await memberJsonRpcUrl(world, index), { timeoutMs: 10_000 });
}

/** Every message of `app` on a member, paging with the cursor. */
async function readAll(client: RingsRpcClient, app: string, limit = 2): Promise<MessageItem[]> {
  const all: MessageItem[] = [];
  let after: string | null = null;
  for (;;) {
    const page: ReadMessagesResult = await client.readMessages(after === null ? { app, limit } : { app, after, limit });
    const final = page.messages.filter((item) => item.status === "final");
    all.push(...final);
    if (final.length < limit) return [...all, ...page.messages.filter((item) => item.status === "tentative")];
    after = page.cursor;
  }
}

/** The JSON-RPC error code a call fails with. */
async function codeOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    if (error instanceof RingsRpcError) return error.code;
    throw error;
  }
  throw new Error("the call succeeded");
}

const summary = (items: MessageItem[]) => items.map((item) => `${item.round}/${item.author}/${item.seq}/${JSON.stringify(item.payload)}`);

describe("messages: one agreed order on every member", function () {
  this.timeout(120_000);
  let world: RoundsRing;
  const clients: RingsRpcClient[] = [];

  before(async function () {
    world = await startRoundsRing(3, "messages");
    for (let i = 0; i < 3; i++) {
      await world.start(i);
      clients.push(await clientOf(world, i));
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await world?.saveLogs(this.currentTest.title);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("a posted message is tentative on its member at once, then final with the round that covered it", async function () {
    const [client] = clients as [RingsRpcClient];
    const posted = await client.postMessage({ app: "first", type: "text", payload: { txt: "hello ring" } });
    expect((await client.getMessage(posted.cid)).status).to.equal("tentative");
    const final = await waitFor("final", async () => {
      const item = await client.getMessage(posted.cid);
      return item.status === "final" ? item : undefined;
    }, 30_000, 200);
    expect(final).to.include({ app: "first", type: "text", author: posted.author, seq: posted.seq });
    expect(final.round).to.be.a("number");
  });

  it("messages posted on two members are read in the same final sequence on every member, ordered by (round, author, seq)", async function () {
    const texts = ["a1", "b1", "a2", "b2", "a3", "b3"];
    const posted = await Promise.all(texts.map((txt, i) => (clients[i % 2] as RingsRpcClient).postMessage({ app: APP, payload: { txt } })));
    const sequences = await waitFor("every member has all six final", async () => {
      const read = await Promise.all(clients.map((client) => readAll(client, APP)));
      return read.every((items) => items.length === texts.length && items.every((item) => item.status === "final")) ? read : undefined;
    }, 45_000, 250);
    expect(summary(sequences[1] as MessageItem[])).to.deep.equal(summary(sequences[0] as MessageItem[]));
    expect(summary(sequences[2] as MessageItem[])).to.deep.equal(summary(sequences[0] as MessageItem[]));
    const key = (item: MessageItem) => [item.round ?? 0, item.author.toLowerCase(), item.seq] as const;
    const sorted = [...(sequences[0] as MessageItem[])].sort((x, y) => {
      const [a, b] = [key(x), key(y)];
      return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2];
    });
    expect(summary(sequences[0] as MessageItem[])).to.deep.equal(summary(sorted));
    expect(new Set((sequences[0] as MessageItem[]).map((item) => item.cid))).to.deep.equal(new Set(posted.map((p) => p.cid)));
    // Batched: the six messages took fewer rounds than messages.
    expect(new Set((sequences[0] as MessageItem[]).map((item) => item.round)).size).to.be.lessThan(texts.length);
  });

  it("a quiet ring starts no rounds", async function () {
    const ring = ringAt(world.ring.ring, world.ring.chain.account(0));
    await waitFor("no message waiting", async () => (await readAll(clients[0] as RingsRpcClient, APP)).every((item) => item.status === "final"), 30_000, 200);
    // Let a round that was already in flight land, then watch for two relayer timeouts.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const before = await ring.round();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await ring.round()).to.equal(before);
  });

  it("a member's log holds its messages only as read-key envelopes", async function () {
    const member = world.ring.members[0] as { address: string; dataDir: string };
    await world.kill(0);
    const { journal, records } = await LogJournal.open(join(member.dataDir, "logs", `${member.address}.journal`));
    await journal.close();
    const payloads = await Promise.all(records.map(async (bytes) => (await decodeLogNode(bytes)).node.payload));
    const keys = (await readEpochKeys(join(member.dataDir, READ_KEYS_FILE), world.ring.ring)).get(0) ?? [];
    const opened = payloads.filter(isEncryptedPayload).map((envelope) => decryptPayload(keys[0] as Uint8Array, envelope, { ring: world.ring.ring, author: member.address }));
    // Its 4 messages, and the proposals it wrote as a relayer, are all envelopes; nothing is a message in the clear.
    expect(opened.filter((entry) => asMessage(entry) !== null).length).to.equal(4);
    expect(payloads.some((payload) => JSON.stringify(payload).includes("message"))).to.equal(false);
    await world.start(0);
    clients[0] = await clientOf(world, 0);
  });

  it("a member killed mid-conversation and restarted reads the same final sequence as the others", async function () {
    await world.kill(2);
    await Promise.all(["while away 1", "while away 2"].map((txt, i) => (clients[i] as RingsRpcClient).postMessage({ app: APP, payload: { txt } })));
    await world.start(2);
    clients[2] = await clientOf(world, 2);
    const sequences = await waitFor("every member has every message final", async () => {
      const read = await Promise.all(clients.map((client) => readAll(client, APP)));
      const complete = read.every((items) => items.length === 8 && items.every((item) => item.status === "final"));
      return complete ? read.map(summary) : undefined;
    }, 60_000, 250);
    expect(sequences[2]).to.deep.equal(sequences[0]);
    expect(sequences[1]).to.deep.equal(sequences[0]);
  });

  it("refuses bad requests with their JSON-RPC error and keeps the node and its messages intact", async function () {
    const client = clients[0] as RingsRpcClient;
    const before = summary(await readAll(client, APP));
    const big = "x".repeat(LIMITS.maxMessageBytes);
    expect(await codeOf(client.postMessage({ app: APP, payload: big }))).to.equal(RpcErrorCode.MessageTooLarge);
    expect(await codeOf(client.call("PostMessage", { app: 7, payload: "hi" }))).to.equal(-32602);
    expect(await codeOf(client.call("PostMessage", { app: APP }))).to.equal(-32602);
    expect(await codeOf(client.readMessages({ app: APP, limit: 0 }))).to.equal(-32602);
    expect(await codeOf(client.readMessages({ app: APP, limit: LIMITS.maxReadMessages + 1 }))).to.equal(-32602);
    expect(await codeOf(client.readMessages({ app: APP, after: "garbled!" }))).to.equal(RpcErrorCode.UnknownCursor);
    const elsewhere = encodeCursor(APP, { round: 9_999, author: "0x00000000000000000000000000000000000000aa", seq: 0 });
    expect(await codeOf(client.readMessages({ app: APP, after: elsewhere }))).to.equal(RpcErrorCode.UnknownCursor);
    expect(await codeOf(client.getMessage("bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"))).to.equal(RpcErrorCode.UnknownMessage);
    // JSON.parse reads 1e400 as Infinity, which dag-cbor does not encode.
    const raw = await fetch(client.url, { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"jsonrpc":"2.0","id":1,"method":"PostMessage","params":{"app":"${APP}","payload":1e400}}` });
    expect(((await raw.json()) as { error: { code: number } }).error.code).to.equal(RpcErrorCode.PayloadNotCbor);
    expect(summary(await readAll(client, APP))).to.deep.equal(before);
    const after = await client.postMessage({ app: APP, payload: { txt: "still here" } });
    expect(after.seq).to.be.a("number");
  });
});
