/**
 * The replica follower's fast path: a member's log streamed in ascending frames (what log-sync
 * delivers), over really signed nodes and the real replica store. Every node is verified and must
 * link to the one before it; a frame is held only once it extends the held log; when the range
 * fails, the follower walks the log over bitswap from the on-chain head instead.
 */
import { expect } from "chai";
import { getBytes, Wallet } from "ethers";
import { MemoryBlockstore } from "blockstore-core/memory";
import { describe, it } from "mocha";
import type { CID } from "multiformats/cid";
import { cidToBytes32 } from "../../../node/src/core/cid.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { signLogNodeWithKey, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { WrongSignerError } from "../../../node/src/log/errors.js";
import { syncRange, type FollowRange } from "../../../node/src/replica/followRange.js";
import { ReplicaFollower } from "../../../node/src/replica/replicaFollower.js";
import { ReplicaStore } from "../../../node/src/replica/replicaStore.js";

const chainId = 31337n;
const member = Wallet.createRandom();
const outsider = Wallet.createRandom();
const ring = Wallet.createRandom().address;
const domain = ringDomain(chainId, ring);
const context = { domain, isMember: (address: string) => address === member.address };

async function nodeAfter(previous: EncodedLogNode | undefined, signer: { privateKey: string } = member): Promise<EncodedLogNode> {
  const seq = (previous?.node.seq ?? -1) + 1;
  const body = { v: 1, ring, author: member.address, seq, prev: previous === undefined ? [] : [previous.cid], payload: { seq } };
  return signLogNodeWithKey(body, getBytes(signer.privateKey), domain);
}

async function genuineLog(count: number): Promise<EncodedLogNode[]> {
  const nodes: EncodedLogNode[] = [];
  for (let i = 0; i < count; i++) nodes.push(await nodeAfter(nodes.at(-1)));
  return nodes;
}

/** A member serving `log` over the range transport in frames of `frameSize`, recording what was asked. */
function servedRange(log: readonly EncodedLogNode[], frameSize: number, asked: FollowRange[] = []) {
  return async function* (range: FollowRange): AsyncGenerator<Array<{ cid: CID; bytes: Uint8Array }>> {
    asked.push(range);
    const end = log.findIndex((node) => node.cid.equals(range.to));
    const wanted = log.slice(range.from, end + 1);
    for (let i = 0; i < wanted.length; i += frameSize) {
      await new Promise((resolve) => setImmediate(resolve)); // each frame arrives on its own, as off the wire
      yield wanted.slice(i, i + frameSize).map((node) => ({ cid: node.cid, bytes: node.bytes }));
    }
  };
}

const bounds = { maxNodes: 10_000, maxBytes: 16 * 1024 * 1024, signal: AbortSignal.timeout(10_000) };

describe("a replica catches a member's log up from ascending frames", function () {
  this.timeout(60_000);

  it("holds the member's log up to the head, from the node after the held one, each frame moving the head", async function () {
    const log = await genuineLog(10);
    const store = new ReplicaStore({ blockstore: new MemoryBlockstore() });
    await store.storeVerified(ring, member.address, log.slice(0, 3));
    const asked: FollowRange[] = [];

    const result = await syncRange({ range: { ring, author: member.address, to: (log[9] as EncodedLogNode).cid }, context, held: await store.head(ring, member.address), store, fetch: servedRange(log, 4, asked), ...bounds });

    expect(asked.map((range) => range.from)).to.deep.equal([3]);
    expect(result).to.include({ fetched: 7, complete: true });
    expect((await store.head(ring, member.address))?.cid.equals(log[9]?.cid)).to.equal(true);
    expect((await store.readLog(ring, member.address)).map((node) => node.node.seq)).to.deep.equal([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it("refuses a frame with a node not signed by the member, and holds only the frames before it", async function () {
    const log = await genuineLog(4);
    const forged = await nodeAfter(log[3], outsider);
    const store = new ReplicaStore({ blockstore: new MemoryBlockstore() });

    const failure = await syncRange({ range: { ring, author: member.address, to: forged.cid }, context, held: null, store, fetch: servedRange([...log, forged], 2), ...bounds }).catch((error: unknown) => error);

    expect(failure).to.be.instanceOf(WrongSignerError);
    expect((await store.head(ring, member.address))?.seq).to.equal(3);
  });

  it("stops a pass at maxNodes and continues from the new head on the next", async function () {
    const log = await genuineLog(9);
    const store = new ReplicaStore({ blockstore: new MemoryBlockstore() });
    const range = { ring, author: member.address, to: (log[8] as EncodedLogNode).cid };

    const first = await syncRange({ range, context, held: null, store, fetch: servedRange(log, 3), ...bounds, maxNodes: 5 });
    const second = await syncRange({ range, context, held: await store.head(ring, member.address), store, fetch: servedRange(log, 3), ...bounds, maxNodes: 5 });

    expect([first.fetched, first.complete, second.fetched, second.complete]).to.deep.equal([6, false, 3, true]);
    expect((await store.head(ring, member.address))?.cid.equals(log[8]?.cid)).to.equal(true);
  });

  it("the follower walks the log over bitswap from the on-chain head when the range fails", async function () {
    const log = await genuineLog(5);
    const blockstore = new MemoryBlockstore();
    const store = new ReplicaStore({ blockstore });
    const network = new Map(log.map((node) => [node.cid.toString(), node.bytes]));
    const follower = new ReplicaFollower({
      chain: { members: () => Promise.resolve([member.address]), logNodeHead: () => Promise.resolve(cidToBytes32((log[4] as EncodedLogNode).cid)), chainId: () => Promise.resolve(chainId) },
      store,
      rings: () => Promise.resolve([ring]),
      fetchRange: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("log-sync refused")) }),
      }),
      fetchBlock: (cid) => {
        const bytes = network.get(cid.toString());
        return bytes === undefined ? Promise.reject(new Error("nobody has it")) : Promise.resolve(bytes);
      },
    });

    const synced = await follower.syncMember(ring, member.address, AbortSignal.timeout(10_000));

    expect(synced).to.include({ fetched: 5, complete: true });
    expect((await store.head(ring, member.address))?.cid.equals(log[4]?.cid)).to.equal(true);
  });
});
