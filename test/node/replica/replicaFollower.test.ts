/**
 * The replica follower's walk from a member's on-chain head, over a chain and a network of blocks
 * faked in memory (the walk is pure logic over them): the nodes are really signed, the replica
 * store is the real one, and a fetched block lands in the shared blockstore as bitswap puts it
 * there. What is held is what the replica's index names; a bad block is dropped where it is met.
 */
import { expect } from "chai";
import { getBytes, Wallet, ZeroAddress } from "ethers";
import { MemoryBlockstore } from "blockstore-core/memory";
import { describe, it } from "mocha";
import type { CID } from "multiformats/cid";
import { cidToBytes32, ZERO_BYTES32 } from "../../../node/src/core/cid.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { signLogNodeWithKey, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { encodeRingLogNode } from "../../../node/src/core/ringLogNode.js";
import { NonMemberAuthorError, SkippedSeqError, WrongSignerError } from "../../../node/src/log/errors.js";
import { ReplicaFollower, type ReplicaFollowerOptions } from "../../../node/src/replica/replicaFollower.js";
import { ReplicaStore } from "../../../node/src/replica/replicaStore.js";

const chainId = 31337n;
const member = Wallet.createRandom();
const outsider = Wallet.createRandom();
const ring = Wallet.createRandom().address;
const domain = ringDomain(chainId, ring);

/** `count` nodes of `member`'s log, oldest first. */
async function genuineLog(count: number): Promise<EncodedLogNode[]> {
  const nodes: EncodedLogNode[] = [];
  for (let seq = 0; seq < count; seq++) nodes.push(await nodeAfter(nodes.at(-1), member, seq));
  return nodes;
}

/** A node of `member`'s log after `previous`, signed by `signer` (an outsider's signature is garbage). */
async function nodeAfter(previous: EncodedLogNode | undefined, signer: { privateKey: string }, seq = (previous?.node.seq ?? -1) + 1): Promise<EncodedLogNode> {
  const body = { v: 1, ring, author: member.address, seq, prev: previous === undefined ? [] : [previous.cid], payload: { seq } };
  return signLogNodeWithKey(body, getBytes(signer.privateKey), domain);
}

/** A replica node: its store over a blockstore the fetcher writes into, a chain whose head the test sets, and the peers' blocks. */
function replica(options: Partial<ReplicaFollowerOptions> = {}) {
  const blockstore = new MemoryBlockstore();
  const store = new ReplicaStore({ blockstore });
  const network = new Map<string, Uint8Array>();
  const fetches: string[] = [];
  let head = ZERO_BYTES32;
  const follower = new ReplicaFollower({
    chain: { members: () => Promise.resolve([member.address]), logNodeHead: () => Promise.resolve(head), chainId: () => Promise.resolve(chainId) },
    store,
    rings: () => Promise.resolve([ring]),
    fetchBlock: async (cid: CID) => {
      fetches.push(cid.toString());
      const bytes = network.get(cid.toString());
      if (bytes === undefined) throw new Error(`nobody has ${cid.toString()}`);
      await blockstore.put(cid, bytes); // Helia keeps what bitswap fetched
      return bytes;
    },
    ...options,
  });
  return {
    store,
    blockstore,
    fetches,
    follower,
    publish: (...nodes: EncodedLogNode[]) => nodes.forEach((node) => network.set(node.cid.toString(), node.bytes)),
    publishBytes: (cid: CID, bytes: Uint8Array) => network.set(cid.toString(), bytes),
    setHead: (node: EncodedLogNode) => (head = cidToBytes32(node.cid)),
    sync: () => follower.syncMember(ring, member.address, AbortSignal.timeout(10_000)),
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("ReplicaFollower verifies what it follows", function () {
  this.timeout(60_000);

  it("a block that fails verification is not kept as held", async function () {
    const log = await genuineLog(2);
    const r = replica();
    await r.store.storeVerified(ring, member.address, log.slice(0, 1));
    const garbage = await nodeAfter(log[0], outsider);
    r.publish(...log, garbage);
    r.setHead(garbage);

    expect(await rejection(r.sync())).to.be.instanceOf(WrongSignerError);

    expect(await r.blockstore.has(garbage.cid)).to.equal(false);
    expect((await r.store.head(ring, member.address))?.cid.equals(log[0]?.cid)).to.equal(true);
  });

  it("a registered garbage head does not wedge the follower: the next genuine head is replicated", async function () {
    const log = await genuineLog(3);
    const r = replica();
    await r.store.storeVerified(ring, member.address, log.slice(0, 1));
    const garbage = await nodeAfter(log[2], outsider);
    r.publish(...log, garbage);
    r.setHead(garbage);
    await r.sync().catch(() => undefined);

    r.setHead(log[2] as EncodedLogNode);
    await r.sync();

    expect((await r.store.head(ring, member.address))?.cid.equals(log[2]?.cid)).to.equal(true);
    expect(await r.store.readLog(ring, member.address)).to.have.length(3);
  });

  it("a log more than maxNodesPerPass nodes behind is replicated across passes", async function () {
    const log = await genuineLog(7);
    const r = replica({ maxNodesPerPass: 2 });
    r.publish(...log);
    r.setHead(log[6] as EncodedLogNode);

    for (let pass = 0; pass < 4; pass++) await r.sync();

    expect((await r.store.head(ring, member.address))?.cid.equals(log[6]?.cid)).to.equal(true);
    expect((await r.store.readLog(ring, member.address)).map((node) => node.node.seq)).to.deep.equal([6, 5, 4, 3, 2, 1, 0]);
  });

  it("nodes of a walk that has not reached the held log yet are not held", async function () {
    const log = await genuineLog(5);
    const r = replica({ maxNodesPerPass: 2 });
    r.publish(...log);
    r.setHead(log[4] as EncodedLogNode);

    const first = await r.sync();

    expect(first?.complete).to.equal(false);
    expect(await r.store.head(ring, member.address)).to.equal(null);
    expect((await r.store.readPage(ring, member.address, { limit: 100, maxBytes: 1 << 20 })).nodes).to.deep.equal([]);
  });

  it("a pass fetches no more than maxBytesPerPass bytes (one node at least)", async function () {
    const log = await genuineLog(4);
    const r = replica({ maxBytesPerPass: 1 });
    r.publish(...log);
    r.setHead(log[3] as EncodedLogNode);

    await r.sync();

    expect(r.fetches).to.have.length(1);
  });

  it("a walk resumes below where it stopped when the chain head moves on meanwhile", async function () {
    const log = await genuineLog(6);
    const r = replica({ maxNodesPerPass: 2 });
    r.publish(...log);
    r.setHead(log[3] as EncodedLogNode);
    await r.sync();

    r.setHead(log[5] as EncodedLogNode);
    for (let pass = 0; pass < 3; pass++) await r.sync();

    expect((await r.store.head(ring, member.address))?.cid.equals(log[5]?.cid)).to.equal(true);
    expect(new Set(r.fetches).size).to.equal(r.fetches.length);
  });

  it("a non-member's node at a member's head is refused, and nothing of it is kept", async function () {
    const log = await genuineLog(1);
    const r = replica();
    await r.store.storeVerified(ring, member.address, log);
    const foreign = await signLogNodeWithKey({ v: 1, ring, author: outsider.address, seq: 1, prev: [log[0]?.cid as CID], payload: { seq: 1 } }, getBytes(outsider.privateKey), domain);
    r.publish(...log, foreign);
    r.setHead(foreign);

    expect(await rejection(r.sync())).to.be.instanceOf(NonMemberAuthorError);

    expect(await r.blockstore.has(foreign.cid)).to.equal(false);
    expect((await r.store.head(ring, member.address))?.cid.equals(log[0]?.cid)).to.equal(true);
  });

  it("a member's node whose parent skips a seq is refused, and nothing of it is kept", async function () {
    const log = await genuineLog(1);
    const r = replica();
    await r.store.storeVerified(ring, member.address, log);
    const skipping = await nodeAfter(log[0], member, 2);
    r.publish(...log, skipping);
    r.setHead(skipping);

    expect(await rejection(r.sync())).to.be.instanceOf(SkippedSeqError);

    expect(await r.blockstore.has(skipping.cid)).to.equal(false);
    expect((await r.store.head(ring, member.address))?.seq).to.equal(0);
  });

  it("follows the head the ring's latest round names when the member set none with logNodeHeads", async function () {
    const log = await genuineLog(3);
    const round = await encodeRingLogNode({ ring, round: 1, prevHead: ZERO_BYTES32, memberHeads: { [member.address]: cidToBytes32(log[2]?.cid as CID) }, outputs: { gate: ZeroAddress, pins: [], cids: [] } });
    const r = replica({ chain: { members: () => Promise.resolve([member.address]), logNodeHead: () => Promise.resolve(ZERO_BYTES32), chainId: () => Promise.resolve(chainId), ringNodeHead: () => Promise.resolve(round.head) } });
    r.publish(...log);
    r.publishBytes(round.cid, round.bytes);

    await r.follower.syncOnce(AbortSignal.timeout(10_000));

    expect((await r.store.head(ring, member.address))?.cid.equals(log[2]?.cid)).to.equal(true);
    expect(r.follower.progress()[0]).to.include({ member: member.address, caughtUp: true, error: null });
  });
});
