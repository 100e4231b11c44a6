/**
 * ReplicaStore.keep: what a replica node keeps of a client ring's log is stored and pinned a window
 * of KEEP_WINDOW nodes at a time (the blocks of a window first, then one pin batch), not one node
 * at a time; a block already held is not written again.
 */
import { expect } from "chai";
import { getBytes, Wallet } from "ethers";
import { MemoryBlockstore } from "blockstore-core/memory";
import { describe, it } from "mocha";
import type { CID } from "multiformats/cid";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { signLogNodeWithKey, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { KEEP_WINDOW, ReplicaStore } from "../../../node/src/replica/replicaStore.js";

const author = Wallet.createRandom();
const ring = Wallet.createRandom().address;

async function logOf(count: number): Promise<EncodedLogNode[]> {
  const nodes: EncodedLogNode[] = [];
  for (let seq = 0; seq < count; seq++) {
    const previous = nodes.at(-1);
    const body = { v: 1, ring, author: author.address, seq, prev: previous === undefined ? [] : [previous.cid], payload: { seq } };
    nodes.push(await signLogNodeWithKey(body, getBytes(author.privateKey), ringDomain(31337, ring)));
  }
  return nodes;
}

/** A store over a memory blockstore that records each pin batch and each put, and whether a pinned block was there. */
function recordingStore() {
  const blockstore = new MemoryBlockstore();
  const batches: string[][] = [];
  const puts: string[] = [];
  let pinnedBeforeStored = 0;
  const put = blockstore.put.bind(blockstore);
  blockstore.put = async (cid, bytes, options) => {
    puts.push(cid.toString());
    return put(cid, bytes, options);
  };
  const pin = async (cids: readonly CID[]) => {
    for (const cid of cids) if (!(await blockstore.has(cid))) pinnedBeforeStored++;
    batches.push(cids.map((cid) => cid.toString()));
  };
  return { store: new ReplicaStore({ blockstore, pin }), blockstore, batches, puts, pinnedBeforeStored: () => pinnedBeforeStored };
}

describe("a replica keeps a client log a window at a time", function () {
  this.timeout(60_000);

  it("stores every node and pins each once, in batches of at most KEEP_WINDOW, after their blocks", async function () {
    const nodes = await logOf(KEEP_WINDOW * 2 + 5);
    const { store, blockstore, batches, pinnedBeforeStored } = recordingStore();
    await store.keep(nodes);
    for (const node of nodes) expect(await blockstore.has(node.cid)).to.equal(true);
    expect(batches.map((batch) => batch.length)).to.deep.equal([KEEP_WINDOW, KEEP_WINDOW, 5]);
    expect(batches.flat()).to.deep.equal(nodes.map((node) => node.cid.toString()));
    expect(pinnedBeforeStored()).to.equal(0);
  });

  it("does not write a block it holds already", async function () {
    const nodes = await logOf(10);
    const { store, puts } = recordingStore();
    await store.keep(nodes.slice(0, 6));
    await store.keep(nodes);
    expect(puts).to.have.length(10);
  });
});
