import * as dagCbor from "@ipld/dag-cbor";
import { expect } from "chai";
import { Wallet } from "ethers";
import {
  computeShard,
  encodeData,
  loadJob,
  MemoryBlocks,
  planJob,
  prepareWordcountJob,
  readCorpus,
  reassign,
  reduceShards,
  runReference,
  Sandbox,
  tallyJob,
  type JobResult,
  type LoadedJob,
  type PreparedJob,
  type ShardVote,
} from "../../../node/src/compute/index.js";

interface WordCount {
  words: number;
  distinct: number;
  counts: Record<string, number>;
  top: [string, number][];
}

/** An independent count in plain TypeScript (no sandbox, no shards), with the job's word rule. */
function countDirectly(texts: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) for (const [word] of text.toLowerCase().matchAll(/[a-z0-9]+(?:'[a-z0-9]+)*/g)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

const members = Array.from({ length: 4 }, (_, i) => new Wallet(`0x${(i + 11).toString(16).padStart(64, "0")}`).address);

describe("compute: word count by map-reduce over the shipped text", function () {
  let sandbox: Sandbox;
  let texts: string[];
  const references = new Map<number, JobResult>();

  async function prepared(shards: number, redundancy = 1): Promise<{ job: PreparedJob; blocks: MemoryBlocks; loaded: LoadedJob }> {
    const job = await prepareWordcountJob({ shards, redundancy });
    const blocks = new MemoryBlocks();
    blocks.add(...job.blocks);
    return { job, blocks, loaded: await loadJob(job.cid, blocks) };
  }

  async function reference(shards: number): Promise<JobResult> {
    const cached = references.get(shards);
    if (cached) return cached;
    const { job, blocks } = await prepared(shards);
    const result = await runReference(job.cid, blocks, { sandbox });
    references.set(shards, result);
    return result;
  }

  before(async function () {
    sandbox = new Sandbox({ workers: 2 });
    texts = await readCorpus();
    await sandbox.warm();
  });
  after(async function () {
    await sandbox.close();
  });

  it("counts every word of the text exactly as an independent count does", async function () {
    const expected = countDirectly(texts);
    const output = dagCbor.decode<WordCount>((await reference(4)).output.bytes);
    expect(output.words).to.equal([...expected.values()].reduce((a, b) => a + b, 0));
    expect(output.distinct).to.equal(expected.size);
    expect(output.counts).to.deep.equal(Object.fromEntries(expected));
    const top = [...expected.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
    expect(output.top).to.deep.equal(top);
    expect(output.words).to.be.greaterThan(50_000);
  });

  it("gives the same output bytes whatever the number of shards", async function () {
    const outputs = [];
    for (const shards of [1, 3, 4, 7]) outputs.push((await reference(shards)).output);
    for (const output of outputs) expect(output.bytes).to.deep.equal(outputs[0]?.bytes);
  });

  it("reaches the reference output when members compute their planned shards and one of them lies", async function () {
    const { job, loaded } = await prepared(4, 3);
    const plan = planJob({ job: job.cid, members, shards: 4, redundancy: 3 });
    const liar = plan.members[2] as string;
    const computed = await Promise.all(plan.assignments.map((_, shard) => computeShard(sandbox, loaded, shard)));
    const votes: ShardVote[] = [];
    for (const [shard, shardMembers] of plan.assignments.entries()) {
      for (const member of shardMembers) {
        const result = member === liar ? (await encodeData({ words: 0, counts: { lie: shard } })).cid : (computed[shard]?.cid as ShardVote["result"]);
        votes.push({ shard, member, result });
      }
    }
    const tally = tallyJob(plan, votes);
    expect(tally.complete).to.equal(true);
    expect(tally.dissents.get(liar)).to.be.greaterThan(0);
    const agreed = tally.results?.map((cid) => computed.find((output) => output.cid.equals(cid))?.bytes as Uint8Array) ?? [];
    const output = await reduceShards(sandbox, loaded, agreed);
    expect(output.cid.equals((await reference(4)).output.cid)).to.equal(true);
  });

  it("reaches the reference output when a silent member's shards are reassigned", async function () {
    const { job, loaded } = await prepared(6, 1);
    const plan = planJob({ job: job.cid, members, shards: 6, redundancy: 1 });
    const silent = plan.members[1] as string;
    const answered = plan.assignments.flatMap((shardMembers, shard) => shardMembers.filter((member) => member !== silent).map((member) => ({ shard, member })));
    const { plan: next, moves } = reassign(plan, answered);
    expect(moves.length).to.be.greaterThan(0);
    expect(next.assignments.flat()).to.not.include(silent);
    const partials = [];
    for (let shard = 0; shard < next.shards; shard += 1) partials.push((await computeShard(sandbox, loaded, shard)).bytes);
    const output = await reduceShards(sandbox, loaded, partials);
    expect(output.cid.equals((await reference(6)).output.cid)).to.equal(true);
  });
});
