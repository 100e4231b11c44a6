/**
 * Live subscriptions across three `ring-node` processes on loopback with a real chain: a member's
 * WebSocket (the JSON-RPC endpoint's port) sends another member's posts as tentative, then final;
 * a subscriber that leaves and resumes from its cursor, or is cut off and reconnects by itself,
 * gets every final message once; every flushed round comes as a head; bad input over the socket
 * is answered with its JSON-RPC error and the node stays up.
 */
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { after, afterEach, before, describe, it } from "mocha";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { WS_LIMITS, type HeadNotification, type MessageNotification } from "../../../node/src/api/subscriptions.js";
import { MessagesClient } from "../../../node/src/client/messagesClient.js";
import { RingsRpcError } from "../../../node/src/client/ringsRpcClient.js";
import { WsConnection } from "../../../node/src/client/wsConnection.js";
import { ensureRingKeys, RING_KEYS_FILE } from "../../../node/src/replica/ringKeyFile.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { memberJsonRpcUrl } from "../../../scripts/devnet/jsonRpcUrl.js";

/** Reads `subscription` until `done` says so (or the wait ends), then stops it; answers what came. */
async function collect<T>(subscription: AsyncGenerator<T>, done: (items: T[]) => boolean, timeoutMs: number, onItem?: (item: T) => Promise<void>): Promise<T[]> {
  const items: T[] = [];
  const timer = setTimeout(() => void subscription.return(undefined), timeoutMs);
  try {
    for await (const item of subscription) {
      items.push(item);
      await onItem?.(item);
      if (done(items)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return items;
}

async function codeOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    if (error instanceof RingsRpcError) return error.code;
    throw error;
  }
  throw new Error("the call succeeded");
}

const finals = (items: MessageNotification[]) => items.filter((n) => n.state === "final");

describe("messages: live subscriptions over WebSocket", function () {
  this.timeout(180_000);
  let world: RoundsRing;
  const clients: MessagesClient[] = [];

  before(async function () {
    world = await startRoundsRing(3, "subscriptions");
    const dataDirs = world.ring.members.map((member) => member.dataDir);
    await ensureRingKeys(join(dataDirs[0] as string, RING_KEYS_FILE));
    for (const dataDir of dataDirs.slice(1)) await copyFile(join(dataDirs[0] as string, RING_KEYS_FILE), join(dataDir, RING_KEYS_FILE));
    for (let i = 0; i < 3; i++) {
      await world.start(i);
      clients.push(new MessagesClient(await memberJsonRpcUrl(world, i), { retryMs: 100 }));
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await world?.saveLogs(this.currentTest.title);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("sends a message posted on another member as tentative first, then the same message as final with its round", async function () {
    const [watcher, poster] = clients as [MessagesClient, MessagesClient];
    let subscribed!: () => void;
    const ready = new Promise<void>((resolve) => (subscribed = resolve));
    const subscription = watcher.subscribe("live", { onSubscribed: () => subscribed() });
    const seen = collect(subscription, (items) => items.some((n) => n.state === "final"), 60_000);
    await ready;
    const posted = await poster.post({ app: "live", payload: { txt: "hello from member 1" } });
    const items = await seen;
    expect(items.map((n) => [n.state, n.message.cid])).to.deep.equal([["tentative", posted.cid], ["final", posted.cid]]);
    const final = items[1] as MessageNotification;
    expect(final.round).to.be.a("number");
    expect(final.message).to.include({ author: posted.author, seq: posted.seq, status: "final", round: final.round });
    expect(final.message.payload).to.deep.equal({ txt: "hello from member 1" });
    expect(final.cursor).to.be.a("string");
  });

  it("resumed from its last cursor after leaving, a subscriber gets every later final message once and none is lost", async function () {
    const [watcher, a, b] = clients as [MessagesClient, MessagesClient, MessagesClient];
    const first = await Promise.all([1, 2, 3].map((i) => (i % 2 === 0 ? a : b).post({ app: "resume", payload: { n: i } })));
    const before = finals(await collect(watcher.subscribe("resume"), (items) => finals(items).length >= 2, 60_000));
    const cursor = before.at(-1)?.cursor as string;
    const later = await Promise.all([4, 5, 6].map((i) => (i % 2 === 0 ? a : b).post({ app: "resume", payload: { n: i } })));
    const resumed = finals(await collect(watcher.subscribe("resume", { after: cursor }), (items) => finals(items).length >= 6 - before.length, 60_000));
    const cids = [...before, ...resumed].map((n) => n.message.cid);
    expect(new Set(cids).size).to.equal(cids.length);
    expect(new Set(cids)).to.deep.equal(new Set([...first, ...later].map((p) => p.cid)));
    const replay = await watcher.replay("resume");
    expect(replay.messages.map((m) => m.cid)).to.deep.equal(cids);
  });

  it("cut off while it falls behind, reconnects by itself and resumes: no final message twice, none lost", async function () {
    const [, a, b] = clients as [MessagesClient, MessagesClient, MessagesClient];
    const slow = new MessagesClient(clients[0]?.url as string, { retryMs: 100, maxQueued: 2 });
    const posted = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).post({ app: "flaky", payload: { n: i } })));
    await waitFor("all final on member 0", async () => ((await slow.replay("flaky")).messages.length === posted.length ? true : undefined), 60_000, 250);
    let reconnects = 0;
    const subscription = slow.subscribe("flaky", { onReconnect: () => (reconnects += 1) });
    const items = await collect(subscription, (got) => finals(got).length >= posted.length, 60_000, () => new Promise((resolve) => setTimeout(resolve, 30)));
    expect(reconnects).to.be.greaterThan(0);
    const cids = finals(items).map((n) => n.message.cid);
    expect(cids).to.deep.equal((await slow.replay("flaky")).messages.map((m) => m.cid));
  });

  it("sends a head for every flushed round, as the chain's ring log has it", async function () {
    const [watcher, poster] = clients as [MessagesClient, MessagesClient];
    const ring = ringAt(world.ring.ring, world.ring.chain.account(0));
    const start = Number(await ring.round());
    let subscribed!: () => void;
    const ready = new Promise<void>((resolve) => (subscribed = resolve));
    const heads = collect(watcher.subscribeHeads({ onSubscribed: () => subscribed() }), (items) => items.length >= 2, 90_000);
    await ready;
    await poster.post({ app: "heads", payload: { n: 1 } });
    await waitFor("a round flushed", async () => (Number(await ring.round()) > start ? true : undefined), 60_000, 200);
    await poster.post({ app: "heads", payload: { n: 2 } });
    const got: HeadNotification[] = await heads;
    const rounds = got.map((head) => head.round);
    expect(rounds).to.deep.equal([rounds[0] as number, (rounds[0] as number) + 1]);
    expect(rounds[0]).to.be.greaterThan(start);
    for (const head of got) {
      expect(head.ringNodeHead.toLowerCase()).to.equal((await ring.ringLog(head.round)).toLowerCase());
      expect(head.cut.length).to.be.greaterThan(0);
      expect(head.cut[0]).to.have.keys(["author", "seq", "cid"]);
    }
  });

  it("answers bad input over the socket with its JSON-RPC error and stays up", async function () {
    const client = clients[0] as MessagesClient;
    const socket = await WsConnection.open(client.url);
    expect(await codeOf(socket.call("NoSuchMethod", {}))).to.equal(-32601);
    expect(await codeOf(socket.call("SubscribeMessages", { app: 7 }))).to.equal(-32602);
    expect(await codeOf(socket.call("SubscribeMessages", { app: "x", extra: 1 }))).to.equal(-32602);
    expect(await codeOf(socket.call("SubscribeMessages", { app: "x", after: "garbled!" }))).to.equal(RpcErrorCode.UnknownCursor);
    expect(await codeOf(socket.call("Unsubscribe", { id: "sub-404" }))).to.equal(RpcErrorCode.UnknownSubscription);
    expect(await codeOf(client.rpc.call("SubscribeHeads", {}))).to.equal(-32601);
    const ids: string[] = [];
    for (let i = 0; i < WS_LIMITS.maxSubscriptionsPerSocket; i++) ids.push((await socket.call<{ id: string }>("SubscribeHeads", {})).id);
    expect(await codeOf(socket.call("SubscribeHeads", {}))).to.equal(RpcErrorCode.TooManySubscriptions);
    expect(await socket.call("Unsubscribe", { id: ids[0] })).to.equal(true);
    expect(await socket.call<{ id: string }>("SubscribeMessages", { app: "x" })).to.have.property("id");
    socket.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: "big", method: "PostMessage", params: { app: "x", payload: "y".repeat(WS_LIMITS.maxFrameBytes) } }));
    expect(await socket.call("ReadMessages", { app: "nothing" })).to.include({ cursor: null });
    expect(socket.stray.map((answer) => answer.error?.code)).to.deep.equal([RpcErrorCode.RequestTooLarge]);
    const closed = new Promise<{ code: number }>((resolve) => socket.onClose(resolve));
    socket.sendRaw("z".repeat(2 * WS_LIMITS.maxFrameBytes + 1));
    expect((await closed).code).to.equal(1009);
    const posted = await client.post({ app: "x", payload: { still: "up" } });
    expect((await client.rpc.getMessage(posted.cid)).payload).to.deep.equal({ still: "up" });
  });
});
