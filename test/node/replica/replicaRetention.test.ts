/**
 * Retention on the replica side: a replica follows a client ring while its registration runs
 * (`retained`), and once it has lapsed stops following it, drops it from its store (no head held,
 * so nothing is served) and unpins its nodes; a renewed registration is followed again. The chain
 * and network are faked in memory; the nodes are really signed and the store is the real one.
 */
import { expect } from "chai";
import { getBytes, Wallet } from "ethers";
import { MemoryBlockstore } from "blockstore-core/memory";
import { describe, it } from "mocha";
import type { CID } from "multiformats/cid";
import { cidToBytes32 } from "../../../node/src/core/cid.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { signLogNodeWithKey, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { ReplicaFollower } from "../../../node/src/replica/replicaFollower.js";
import { ReplicaStore } from "../../../node/src/replica/replicaStore.js";

const chainId = 31337n;
const member = Wallet.createRandom();
const ring = Wallet.createRandom().address;
const domain = ringDomain(chainId, ring);

async function logOf(count: number): Promise<EncodedLogNode[]> {
  const nodes: EncodedLogNode[] = [];
  for (let seq = 0; seq < count; seq++) {
    const previous = nodes.at(-1);
    nodes.push(await signLogNodeWithKey({ v: 1, ring, author: member.address, seq, prev: previous === undefined ? [] : [previous.cid], payload: { seq } }, getBytes(member.privateKey), domain));
  }
  return nodes;
}

function replica(log: EncodedLogNode[]) {
  const blockstore = new MemoryBlockstore();
  const pinned = new Set<string>();
  const store = new ReplicaStore({ blockstore, pin: (cids) => Promise.resolve(cids.forEach((cid) => pinned.add(cid.toString()))), unpin: (cid) => Promise.resolve(void pinned.delete(cid.toString())) });
  const network = new Map(log.map((node) => [node.cid.toString(), node.bytes]));
  const state = { registered: true, fetches: 0 };
  const follower = new ReplicaFollower({
    chain: { members: () => Promise.resolve([member.address]), logNodeHead: () => Promise.resolve(cidToBytes32((log.at(-1) as EncodedLogNode).cid)), chainId: () => Promise.resolve(chainId) },
    store,
    rings: () => Promise.resolve([ring]),
    retained: () => Promise.resolve(state.registered),
    onLapsed: async (lapsed) => void (await store.drop(lapsed)),
    fetchBlock: async (cid: CID) => {
      state.fetches += 1;
      const bytes = network.get(cid.toString()) as Uint8Array;
      await blockstore.put(cid, bytes);
      return bytes;
    },
  });
  return { store, pinned, state, follower, sync: () => follower.syncOnce(AbortSignal.timeout(10_000)) };
}

describe("a replica keeps a client ring's logs while its registration runs", function () {
  it("follows, keeps and pins a registered ring's logs", async function () {
    const log = await logOf(4);
    const node = replica(log);
    await node.sync();
    expect((await node.store.head(ring, member.address))?.seq).to.equal(3);
    expect(node.pinned.size).to.equal(4);
  });

  it("stops following a ring whose registration lapsed, holds no head of it and unpins its nodes", async function () {
    const log = await logOf(4);
    const node = replica(log);
    await node.sync();
    node.state.registered = false;
    const fetchesBefore = node.state.fetches;

    expect(await node.sync()).to.deep.equal([]);
    expect(await node.store.head(ring, member.address)).to.equal(null);
    expect(node.pinned.size).to.equal(0);
    expect(node.follower.lapsed()).to.deep.equal([ring]);
    expect(node.follower.progress()).to.deep.equal([]);
    await node.sync();
    expect(node.state.fetches).to.equal(fetchesBefore);
  });

  it("follows a lapsed ring again once its registration is renewed", async function () {
    const log = await logOf(3);
    const node = replica(log);
    node.state.registered = false;
    await node.sync();
    node.state.registered = true;
    await node.sync();
    expect((await node.store.head(ring, member.address))?.seq).to.equal(2);
    expect(node.follower.lapsed()).to.deep.equal([]);
  });
});
