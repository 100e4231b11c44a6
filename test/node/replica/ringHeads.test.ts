/**
 * The member heads a replica follows from a ring's latest round (node/src/replica/ringHeads.ts):
 * taken only from a block that hashes to the ring head on chain and is a ring log node of that
 * ring. Pure logic over encoded nodes.
 */
import { expect } from "chai";
import { Wallet, ZeroAddress } from "ethers";
import { describe, it } from "mocha";
import { cidOfBytes, cidToBytes32 } from "../../../node/src/core/cid.js";
import { encodeRingLogNode } from "../../../node/src/core/ringLogNode.js";
import { RingHeadInvalidError } from "../../../node/src/replica/errors.js";
import { memberHeadsOf, RING_LOG_NODE_MAX_BYTES } from "../../../node/src/replica/ringHeads.js";

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
});
