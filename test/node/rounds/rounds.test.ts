/**
 * Rounds across separate `ring-node` processes on loopback with a real chain (`hardhat node` over
 * JSON-RPC): jobs computed by the ring, agreed by 2/3 votes and flushed on chain.
 */
import { expect } from "chai";
import { Contract } from "ethers";
import { after, before, describe, it } from "mocha";
import { cidToBytes32 } from "../../../node/src/core/cid.js";
import { Sandbox } from "../../../node/src/compute/sandbox.js";
import * as dagCbor from "@ipld/dag-cbor";
import { startRoundsRing, type RoundsRing } from "./support/roundsRing.js";

const WORDCOUNT = `
export function map(inputs, params, shard, shards) {
  const words = inputs[0].split(/\\s+/).filter((w) => w.length > 0);
  const per = Math.ceil(words.length / shards);
  const counts = {};
  for (const word of words.slice(shard * per, (shard + 1) * per)) {
    const key = word.toLowerCase();
    counts[key] = (counts[key] || 0) + 1;
  }
  return counts;
}
export function reduce(partials) {
  const total = {};
  for (const part of partials) for (const [word, n] of Object.entries(part)) total[word] = (total[word] || 0) + n;
  return total;
}
`;

const TEXT = Array.from({ length: 400 }, (_, i) => ["the ring", "agrees on", "what it", "computed", "and the chain", "records it"][i % 6]).join(" ");

async function reference(source: string, text: string, shards: number): Promise<{ cid: string; bytes32: string; value: unknown }> {
  const sandbox = new Sandbox();
  try {
    const partials = [];
    for (let shard = 0; shard < shards; shard++) partials.push(dagCbor.decode((await sandbox.run({ source, entry: "map", args: [[text], null, shard, shards] })).bytes));
    const out = await sandbox.run({ source, entry: "reduce", args: [partials, null] });
    return { cid: out.cid.toString(), bytes32: cidToBytes32(out.cid), value: dagCbor.decode(out.bytes) };
  } finally {
    await sandbox.close();
  }
}

const GATE_ABI = ["function latest(uint96 pin) view returns (uint256 tokenId, address ring, uint64 sequence)"];

describe("rounds: jobs computed by the ring and flushed with 2/3 votes", function () {
  this.timeout(240_000);
  let world: RoundsRing;

  before(async function () {
    world = await startRoundsRing(4, "rounds");
    for (let i = 0; i < 4; i++) await world.start(i);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("4 members run a map-reduce word count; the output on chain equals the single-process reference", async function () {
    const expected = await reference(WORDCOUNT, TEXT, 4);
    const submitted = await world.jobsOf(1).submit({ source: WORDCOUNT, inputs: [{ text: TEXT }], shards: 4, redundancy: 2, pin: 7 });
    const status = await world.jobsOf(1).waitFinalised(submitted.job, 60_000);
    expect(status.output?.cid).to.equal(expected.cid);
    expect(status.output?.value).to.deep.equal(expected.value);
    const gate = new Contract(world.gate, GATE_ABI, world.ring.chain.provider);
    const [tokenId, ring] = (await gate.getFunction("latest").staticCall(7)) as [bigint, string];
    expect(ring).to.equal(world.ring.ring);
    expect(`0x${tokenId.toString(16).padStart(64, "0")}`).to.equal(expected.bytes32);
  });
});
