/**
 * The member heads a replica follows from a ring's latest round (node/src/replica/ringHeads.ts):
 * taken only from a block that hashes to the ring head on chain and is a ring log node of that
 * ring. Pure logic over encoded nodes.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { expect } from "chai";
import { Wallet, ZeroAddress } from "ethers";
import { describe, it } from "mocha";
import { cidOfBytes, cidToBytes32 } from "../../../node/src/core/cid.js";
import { encodeRingLogNode } from "../../../node/src/core/ringLogNode.js";
import { RingHeadInvalidError } from "../../../node/src/replica/errors.js";
import { headProof, verifyHead } from "../../../node/src/core/headsMerkle.js";
import { memberHeadsOf, RING_LOG_NODE_MAX_BYTES } from "../../../node/src/replica/ringHeads.js";
import { blsRoundHeads } from "../../../node/src/runtime/headFollower.js";

const ring = Wallet.createRandom().address;
const member = Wallet.createRandom().address;

async function ringNode(ofRing = ring) {
  const head = await cidOfBytes(new TextEncoder().encode("a member's head"));
  const node = await encodeRingLogNode({ ring: ofRing, round: 1, prevHead: `0x${"00".repeat(32)}`, memberHeads: { [member]: cidToBytes32(head) }, outputs: { gate: ZeroAddress, pins: [], cids: [] } });
  return { node, head };
}

describe("member heads of a ring's latest round", function () {
  it("are the heads the ring log node names, by member", async function () {
    const { node, head } = await ringNode();

    const heads = memberHeadsOf(ring, node.cid, node.bytes, await cidOfBytes(node.bytes));

    expect(heads.get(member)?.toString()).to.equal(head.toString());
  });

  it("are refused from a block that does not hash to the ring head on chain", async function () {
    const { node } = await ringNode();
    const other = await ringNode(Wallet.createRandom().address);

    expect(() => memberHeadsOf(ring, node.cid, other.node.bytes, other.node.cid)).to.throw(RingHeadInvalidError);
  });

  it("are refused from another ring's ring log node", async function () {
    const { node } = await ringNode(Wallet.createRandom().address);

    expect(() => memberHeadsOf(ring, node.cid, node.bytes, node.cid)).to.throw(RingHeadInvalidError, /not a ring log node of/);
  });

  it("are refused from a block over the size bound", async function () {
    const { node } = await ringNode();

    expect(() => memberHeadsOf(ring, node.cid, new Uint8Array(RING_LOG_NODE_MAX_BYTES + 1), node.cid)).to.throw(RingHeadInvalidError, /bytes/);
  });

  it("are refused from a ring log node whose heads root is not the root of its own pairs (a BLS ring's heads)", async function () {
    const { node } = await ringNode();
    const forged = dagCbor.encode({ ...node.node, headsRoot: `0x${"ab".repeat(32)}` });
    const cid = await cidOfBytes(forged);

    expect(() => memberHeadsOf(ring, cid, forged, cid)).to.throw(RingHeadInvalidError, /heads root/);
  });

  it("each prove against the heads root the ring log node carries, the root a BLS flush stores", async function () {
    const { node, head } = await ringNode();

    expect(verifyHead(node.node.headsRoot, member, cidToBytes32(head), headProof({ [member]: cidToBytes32(head) }, member))).to.equal(true);
  });

  it("a BLS ring's member learns them from the flushed ring log node in its store (HeadFollower's roundHeads)", async function () {
    const { node, head } = await ringNode();
    const store = { readBytes: (cid: unknown) => Promise.resolve(node.cid.equals(cid) ? node.bytes : null) };
    const helia = { blockstore: {}, libp2p: { getPeers: () => [] } } as unknown as Parameters<typeof blsRoundHeads>[2];

    const heads = await blsRoundHeads(ring, store, helia)(node.head);

    expect(heads.get(member)).to.equal(cidToBytes32(head));
  });
});
