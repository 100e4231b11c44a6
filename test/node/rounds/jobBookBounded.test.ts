/**
 * The job book over a long run: with an archive (a real in-memory datastore), only the latest
 * finalised jobs stay in memory, and a job finalised long ago is still found (GetJob, the submit
 * dedupe) with the round that finalised it. The logs are a small in-memory stand-in for the store.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { MemoryDatastore } from "datastore-core";
import { Wallet } from "ethers";
import { CID } from "multiformats/cid";
import { encodeData, encodeJobCode, encodeJobSpec } from "../../../node/src/compute/job.js";
import { JOB_ENTRY, SHARD_ENTRY } from "../../../node/src/rounds/entries.js";
import { datastoreArchive, type FinalisedJob } from "../../../node/src/rounds/jobArchive.js";
import { JobBook } from "../../../node/src/rounds/jobBook.js";
import type { JobCompute } from "../../../node/src/rounds/jobCompute.js";
import { JobService } from "../../../node/src/rounds/jobService.js";
import { acceptAll, storeOf } from "./fakes.js";

const [a, b] = [Wallet.createRandom().address, Wallet.createRandom().address] as [string, string];

async function jobEntry(n: number) {
  const code = await encodeJobCode(`export function map() { return ${n} } export function reduce(p) { return p }`);
  const spec = await encodeJobSpec({ code: code.cid, inputs: [], params: n, shards: 2, redundancy: 1 });
  return { type: JOB_ENTRY, job: spec.cid, spec: spec.bytes, pin: n };
}

async function finalisedIn(round: number): Promise<FinalisedJob> {
  const output = await encodeData({ round });
  return { round, ringNodeHead: `0x${round.toString(16).padStart(64, "0")}`, output: output.cid, tx: `0x${"ab".repeat(32)}` };
}

/** Waits for the archive writes (release hands them off) to let the oldest jobs go. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 2 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Five jobs in a's log, each finalised in its own round, a book keeping two. */
async function fiveFinalised() {
  const entries = await Promise.all([1, 2, 3, 4, 5].map(jobEntry));
  const logs = new Map<string, unknown[]>([[a, [...entries]]]);
  const archive = datastoreArchive(new MemoryDatastore());
  const book = new JobBook(storeOf(logs), acceptAll, undefined, { archive, keepFinalised: 2 });
  await book.scan();
  for (const [i, entry] of entries.entries()) book.release(entry.job.toString(), await finalisedIn(10 + i));
  await until(() => book.allJobs().length === 2);
  return { entries, logs, archive, book, ids: entries.map((entry) => entry.job.toString()) };
}

describe("rounds: the job book keeps a bounded window of finalised jobs", function () {
  it("only the latest keepFinalised finalised jobs stay in memory", async function () {
    const { book, ids } = await fiveFinalised();
    expect(book.allJobs().map((job) => job.id)).to.deep.equal(ids.slice(3));
    expect(book.job(ids[0] as string)).to.equal(undefined);
    expect(book.openJobs()).to.deep.equal([]);
  });

  it("a job finalised long ago is found in the archive, with where its entry sits and the round that finalised it", async function () {
    const { book, ids, entries } = await fiveFinalised();
    const found = await book.findJob(ids[0] as string);
    expect(found?.submitter).to.equal(a);
    expect(found?.seq).to.equal(0);
    expect(found?.released).to.equal(true);
    expect(found?.entry.job.equals(entries[0]?.job)).to.equal(true);
    expect(found?.entry.pin).to.equal(1);
    expect(found?.finalised?.round).to.equal(10);
    expect(found?.finalised?.output.equals((await finalisedIn(10)).output)).to.equal(true);
    expect(await book.findJob(CID.parse("bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku").toString())).to.equal(undefined);
  });

  it("open jobs stay in memory whatever the bound", async function () {
    const { book, logs } = await fiveFinalised();
    const fresh = await Promise.all([6, 7, 8].map(jobEntry));
    logs.get(a)?.push(...fresh);
    await book.scan();
    expect(book.openJobs().map((job) => job.id)).to.deep.equal(fresh.map((entry) => entry.job.toString()));
  });

  it("a job finalised long ago is not taken in again: not on a rescan after a restart, not from another member's copy of its entry", async function () {
    const { logs, archive, ids, entries } = await fiveFinalised();
    logs.set(b, [entries[0]]);
    const restarted = new JobBook(storeOf(logs), acceptAll, undefined, { archive, keepFinalised: 2 });
    await restarted.scan();
    expect(restarted.openJobs()).to.deep.equal([]);
    expect(restarted.job(ids[0] as string)).to.equal(undefined);
    expect((await restarted.findJob(ids[0] as string))?.submitter).to.equal(a);
  });

  it("late shard results of a job finalised long ago are not indexed", async function () {
    const { book, logs, ids, entries } = await fiveFinalised();
    const result = await encodeData(1);
    logs.set(b, [{ type: SHARD_ENTRY, job: entries[0]?.job, shard: 0, result: result.cid, bytes: result.bytes }]);
    await book.scan();
    expect(book.shardResults(ids[0] as string, 0).size).to.equal(0);
  });

  it("a job finalised before its entry is read here is taken in as finalised, not as open", async function () {
    const entry = await jobEntry(9);
    const logs = new Map<string, unknown[]>([[a, []]]);
    const book = new JobBook(storeOf(logs), acceptAll, undefined, { archive: datastoreArchive(new MemoryDatastore()), keepFinalised: 2 });
    book.release(entry.job.toString(), await finalisedIn(3));
    logs.get(a)?.push(entry);
    await book.scan();
    expect(book.openJobs()).to.deep.equal([]);
    expect(book.job(entry.job.toString())?.finalised?.round).to.equal(3);
  });

  it("GetJob of a job finalised long ago answers finalised, with its round, ring head, transaction and output", async function () {
    const { book, ids } = await fiveFinalised();
    const record = await finalisedIn(10);
    const outputBytes = (await encodeData({ round: 10 })).bytes;
    const compute = { shape: () => ({ shards: 2, redundancy: 1 }) } as unknown as JobCompute;
    const blocks = { readBytes: (cid: CID) => Promise.resolve(cid.equals(record.output) ? outputBytes : null) };
    const engine = { book, isMember: () => true, finalisedJob: () => undefined, kick: () => undefined, onJob: () => () => undefined };
    const service = new JobService({ blocks } as never, engine, compute);
    const status = await service.status(ids[0] as string);
    expect(status).to.deep.include({ job: ids[0], status: "finalised", submitter: a, shards: 2, shardsDone: 2, round: 10, ringNodeHead: record.ringNodeHead, tx: record.tx });
    expect(status.output).to.deep.equal({ cid: record.output.toString(), bytes32: status.output?.bytes32, value: { round: 10 } });
  });
});
