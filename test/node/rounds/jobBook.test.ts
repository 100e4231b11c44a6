/**
 * The rounds' reading of the logs (JobBook) and what a round contains (roundContent): pure logic
 * over log payloads, so a small in-memory stand-in for the log store is enough here.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { Wallet } from "ethers";
import type { CID } from "multiformats/cid";
import { encodeData, encodeJobCode, encodeJobSpec } from "../../../node/src/compute/job.js";
import { decideShard } from "../../../node/src/compute/tally.js";
import { JOB_ENTRY, SHARD_ENTRY } from "../../../node/src/rounds/entries.js";
import { JobBook } from "../../../node/src/rounds/jobBook.js";
import type { JobCompute } from "../../../node/src/rounds/jobCompute.js";
import { majorityShards } from "../../../node/src/rounds/roundContent.js";
import { acceptAll, storeOf } from "./fakes.js";


/** Shape and majority as the compute layer decides them; nothing runs. */
const compute = {
  shape: () => ({ shards: 2, redundancy: 3 }),
  majority: (shape: { redundancy: number }, votes: Array<{ member: string; result: CID }>) => {
    const decision = decideShard(0, shape.redundancy, votes.map((v) => ({ ...v, shard: 0 })));
    return decision.status === "agreed" ? { result: decision.result, agreeing: decision.agreeing, dissenting: decision.dissenting } : null;
  },
} as unknown as JobCompute;

const [a, b, c] = [Wallet.createRandom().address, Wallet.createRandom().address, Wallet.createRandom().address] as [string, string, string];

async function job() {
  const code = await encodeJobCode("export function map() { return 1 } export function reduce(p) { return p }");
  const spec = await encodeJobSpec({ code: code.cid, inputs: [], params: null, shards: 2, redundancy: 3 });
  return { type: JOB_ENTRY, job: spec.cid, spec: spec.bytes, pin: 0 };
}

async function shard(jobCid: CID, index: number, value: unknown) {
  const block = await encodeData(value);
  return { type: SHARD_ENTRY, job: jobCid, shard: index, result: block.cid, bytes: block.bytes };
}

describe("rounds: reading jobs and shard results from the logs", function () {
  it("a member's first result for a shard is the one that counts", async function () {
    const entry = await job();
    const book = new JobBook(storeOf(new Map([[a, [entry, await shard(entry.job, 0, "first"), await shard(entry.job, 0, "second")]]])), acceptAll);
    await book.scan();
    const results = book.shardResults(entry.job.toString(), 0);
    expect(results.size).to.equal(1);
    expect(results.get(a)?.entry.result.toString()).to.equal((await encodeData("first")).cid.toString());
  });

  it("a shard has its majority only from results inside the cut", async function () {
    const entry = await job();
    const logs = new Map<string, unknown[]>([
      [a, [entry, await shard(entry.job, 0, 1), await shard(entry.job, 1, 2)]],
      [b, [await shard(entry.job, 0, 1), await shard(entry.job, 1, 2)]],
      [c, [await shard(entry.job, 0, 9)]],
    ]);
    const book = new JobBook(storeOf(logs), acceptAll);
    await book.scan();
    const known = book.job(entry.job.toString());
    if (known === undefined) throw new Error("job not indexed");
    const everyone = () => true;
    expect(majorityShards(book, compute, known, everyone)?.map(String)).to.deep.equal([(await encodeData(1)).cid.toString(), (await encodeData(2)).cid.toString()]);
    // b's results are not yet in the cut: shard 0 has 1 (a) against 9 (c), no majority of 3.
    expect(majorityShards(book, compute, known, everyone, new Map([[a, 2], [b, -1], [c, 0]]))).to.equal(null);
  });

  it("an ejected member's results do not count", async function () {
    const entry = await job();
    const logs = new Map<string, unknown[]>([
      [a, [entry, await shard(entry.job, 0, 1), await shard(entry.job, 1, 2)]],
      [b, [await shard(entry.job, 0, 1), await shard(entry.job, 1, 2)]],
    ]);
    const book = new JobBook(storeOf(logs), acceptAll);
    await book.scan();
    const known = book.job(entry.job.toString());
    if (known === undefined) throw new Error("job not indexed");
    expect(majorityShards(book, compute, known, () => true)).to.not.equal(null);
    expect(majorityShards(book, compute, known, (member) => member !== b)).to.equal(null);
  });

  it("a finalised job, once released, holds no shard results and takes in no late ones", async function () {
    const entry = await job();
    const logs = new Map<string, unknown[]>([[a, [entry, await shard(entry.job, 0, 1)]]]);
    const book = new JobBook(storeOf(logs), acceptAll);
    await book.scan();
    const id = entry.job.toString();
    expect(book.shardResults(id, 0).size).to.equal(1);
    book.release(id);
    logs.get(a)?.push(await shard(entry.job, 1, 2));
    await book.scan();
    expect(book.shardResults(id, 0).size).to.equal(0);
    expect(book.shardResults(id, 1).size).to.equal(0);
    expect(book.job(id)?.released).to.equal(true);
  });
});
