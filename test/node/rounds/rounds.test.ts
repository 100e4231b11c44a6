/**
 * Rounds across separate `ring-node` processes on loopback with a real chain (`hardhat node` over
 * JSON-RPC): jobs computed by the ring, agreed by 2/3 votes and flushed on chain.
 */
import { expect } from "chai";
import { Contract } from "ethers";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, afterEach, before, describe, it } from "mocha";
import { readCorpus } from "../../../node/src/compute/index.js";
import { GATE_ABI as GATE_LATEST_ABI } from "../../../node/src/chain/index.js";
import { type JobStatus } from "../../../node/src/rounds/jobService.js";
import { ringNodeCommand } from "../../../scripts/devnet/ringNodeProcess.js";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";
import { CORPUS, forkAndContinue, JOB_KINDS, reference, TEXT, wordcount } from "./wordcountJobs.js";

const EXAMPLE_WORDCOUNT = fileURLToPath(new URL("../../../examples/jobs/wordcount.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PRIMES_WASM = join(ROOT, "examples/jobs/wasm/build/primes.wasm");

/** The reduce ring's job: the total and the `n` most frequent words of a word-count output. */
const TOP_WORDS = `
export function map(inputs, params) { return { words: inputs[0].words, top: inputs[0].top.slice(0, params.n) }; }
export function reduce(partials) { return partials[0]; }
`;

describe("rounds: jobs computed by the ring and flushed with 2/3 votes", function () {
  this.timeout(240_000);
  let world: RoundsRing;
  let firstJob = "";

  before(async function () {
    if (CORPUS.length === 0) CORPUS.push(...(await readCorpus()));
    world = await startRoundsRing(4, "rounds");
    for (let i = 0; i < 4; i++) await world.start(i);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await world?.saveLogs(this.currentTest.title);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("4 members run a map-reduce word count; the output on chain equals the single-process reference", async function () {
    const expected = await reference(CORPUS, 8, 2);
    const submitted = await world.jobsOf(1).submit(await wordcount(CORPUS, 8, 2, 7));
    firstJob = submitted.job;
    const status = await world.jobsOf(1).waitFinalised(submitted.job, 60_000);
    expect(status.output?.cid).to.equal(expected.cid);
    expect(status.output?.value).to.deep.equal(expected.value);
    const gate = new Contract(world.gate, GATE_LATEST_ABI, world.ring.chain.provider);
    const [tokenId, sequence] = (await gate.getFunction("latest").staticCall(world.ring.ring, 7)) as [bigint, bigint];
    expect(sequence).to.equal(1n);
    expect(`0x${tokenId.toString(16).padStart(64, "0")}`).to.equal(expected.bytes32);
  });

  it("a second ring takes the first ring's output, named by that ring and its gate pin, as its input (map ring -> reduce ring)", async function () {
    const gate = new Contract(world.gate, GATE_LATEST_ABI, world.ring.chain.provider);
    const reduceRing = await world.startSecondRing(1, "reduce");
    // The input names the map ring it trusts and its pin: the reduce ring's member reads Gate.latest(mapRing, 7).
    const input = { pin: 7, ring: world.ring.ring };
    const submitted = await reduceRing.jobsOf(0).submit({ source: TOP_WORDS, inputs: [input], params: { n: 5 }, shards: 1, redundancy: 1, pin: 70 });
    const status = await reduceRing.jobsOf(0).waitFinalised(submitted.job, 60_000);
    const mapOutput = (await world.jobsOf(0).get(firstJob)).output?.value as { words: number; top: Array<[string, number]> };
    expect(status.output?.value).to.deep.equal({ words: mapOutput.words, top: mapOutput.top.slice(0, 5) });
    const [outTokenId] = (await gate.getFunction("latest").staticCall(reduceRing.ring, 70)) as [bigint, bigint];
    expect(`0x${outTokenId.toString(16).padStart(64, "0")}`).to.equal(status.output?.bytes32);
  });

  it("refuses a job whose pin input holds no output yet, naming the ring and the pin", async function () {
    const refused = await world.jobsOf(0).submit({ source: TOP_WORDS, inputs: [{ pin: 999, ring: world.ring.ring }], shards: 1, redundancy: 1 }).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(refused?.message).to.match(/pin 999 of ring 0x[0-9a-fA-F]{40} on gate 0x[0-9a-fA-F]{40} holds no output yet/);
  });

  /** The member (index) that relays the next round first: members[(round + 1) mod n] in the Ring's list order. */
  async function nextRelayer(): Promise<number> {
    const ring = ringAt(world.ring.ring, world.ring.chain.account(0));
    const members = await ring.members();
    const round = Number(await ring.round()) + 1;
    const relayer = members[round % members.length] as string;
    return world.members.findIndex((m) => m.address === relayer);
  }

  async function flushedRelayer(round: number): Promise<string> {
    const ring = ringAt(world.ring.ring, world.ring.chain.account(0));
    const events = await ring.queryFilter(ring.filters.Flushed(round));
    return (events[0]?.args.relayer as string) ?? "";
  }

  it("a job submitted to member B (ring-node submit) while member A is the relayer returns its result at B", async function () {
    const relayer = await nextRelayer();
    const submitter = (relayer + 1) % 4;
    const text = TEXT("submitted at b");
    const expected = await reference([text], 2, 2);
    const dataDir = world.ring.members[submitter]?.dataDir as string;
    const args = ["submit", "--data-dir", dataDir, "--code", EXAMPLE_WORDCOUNT, "--input", text, "--params", '{"top":20}', "--shards", "2", "--redundancy", "2", "--pin", "8", "--json"];
    const status = JSON.parse(await ringNodeCommand(args, {}, 90_000)) as JobStatus;
    expect(status.status).to.equal("finalised");
    expect(status.submitter).to.equal(world.members[submitter]?.address);
    expect(status.output?.value).to.deep.equal(expected.value);
    expect(await flushedRelayer(status.round as number)).to.equal(world.members[relayer]?.address);
  });

  it("a WebAssembly job submitted with ring-node submit --wasm is finalised with the primes below 100,000 as its agreed result", async function () {
    await promisify(execFile)("npm", ["run", "--silent", "build:wasm"], { cwd: ROOT, timeout: 120_000 });
    const dataDir = world.ring.members[3]?.dataDir as string;
    const args = ["submit", "--data-dir", dataDir, "--wasm", PRIMES_WASM, "--params", '{"limit":100000,"block":3000}', "--shards", "2", "--redundancy", "2", "--json"];
    const status = JSON.parse(await ringNodeCommand(args, {}, 90_000)) as JobStatus;
    expect(status.status).to.equal("finalised");
    expect(status.output?.value).to.deep.equal({ count: 9592, sum: 454396537, largest: 99991 });
  });

  it("a job whose code throws is finalised with the failure as its agreed result", async function () {
    const source = `export function map(inputs, params, shard) { if (shard === 1) throw new Error("shard one refuses"); return shard; }
export function reduce(partials) { return partials; }`;
    const submitted = await world.jobsOf(2).submit({ source, inputs: [], params: null, shards: 2, redundancy: 2, pin: 14 });
    const status = await world.jobsOf(2).waitFinalised(submitted.job, 60_000);
    const failure = (status.output?.value as { ringsJobFailure?: { kind: string; message: string } }).ringsJobFailure;
    expect(failure?.kind).to.equal("threw");
    expect(failure?.message).to.contain("shard one refuses");
  });

  /** Runs `body` with member `faulty` restarted as a liar (RING_NODE_FAULT=wrong-results), then restarts it honest. */
  async function withLiar(faulty: number, body: () => Promise<void>): Promise<void> {
    await world.kill(faulty);
    await world.start(faulty, { RING_NODE_FAULT: "wrong-results" });
    try {
      await body();
    } finally {
      // The later tests want an honest ring, also when this one failed.
      await world.kill(faulty);
      await world.start(faulty);
    }
  }

  async function reputationOf(index: number) {
    return ringAt(world.ring.ring, world.ring.chain.account(0)).reputation(world.members[index]?.address as string);
  }

  for (const kind of JOB_KINDS) {
    it(`1 of 4 members returns wrong results for a ${kind.kind} job: the round is finalised anyway and its dissent is recorded on chain`, async function () {
      const faulty = 3;
      await withLiar(faulty, async () => {
        const before = await reputationOf(faulty);
        const text = TEXT(`with one liar, ${kind.kind}`);
        const expected = await reference([text], 4, 3);
        const submitted = await world.jobsOf(0).submit(await wordcount([text], 4, 3, 9, kind));
        const status = await world.jobsOf(0).waitFinalised(submitted.job, 90_000);
        expect(status.output?.cid).to.equal(expected.cid);
        const after = await reputationOf(faulty);
        expect(after.dissents).to.equal(before.dissents + 1n);
        expect(after.agreements).to.equal(before.agreements);
      });
    });
  }

  it("the relayer is killed mid-round: the next relayer flushes", async function () {
    const relayer = await nextRelayer();
    const submitter = (relayer + 1) % 4;
    const text = TEXT("relayer down");
    const expected = await reference([text], 4, 2);
    const submitted = await world.jobsOf(submitter).submit(await wordcount([text], 4, 2, 10));
    await world.kill(relayer);
    const status = await world.jobsOf(submitter).waitFinalised(submitted.job, 90_000);
    expect(status.output?.cid).to.equal(expected.cid);
    const flusher = await flushedRelayer(status.round as number);
    expect(flusher).to.not.equal(world.members[relayer]?.address);
    expect(world.members.map((m) => m.address)).to.include(flusher);
    await world.start(relayer);
  });

  it("2 of 4 members down: no flush without 2/3; one returns: the round completes and nothing is lost", async function () {
    const ring = ringAt(world.ring.ring, world.ring.chain.account(0));
    await world.kill(2);
    await world.kill(3);
    const roundBefore = await ring.round();
    const text = TEXT("half the ring down");
    const expected = await reference([text], 2, 2);
    const submitted = await world.jobsOf(0).submit(await wordcount([text], 2, 2, 11));
    await waitFor("shard results at the live members", async () => (await world.jobsOf(1).get(submitted.job)).shardsDone === 2, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await ring.round()).to.equal(roundBefore);
    expect((await world.jobsOf(0).get(submitted.job)).status).to.not.equal("finalised");
    await world.start(2);
    const status = await world.jobsOf(0).waitFinalised(submitted.job, 90_000);
    expect(status.output?.cid).to.equal(expected.cid);
    expect((await world.jobsOf(2).waitFinalised(submitted.job, 30_000)).output?.cid).to.equal(expected.cid);
    await world.start(3);
  });

  it("a member forks its log while computing a JavaScript job: the others prove it on chain, it is ejected, and the ring continues with 3", async function () {
    await forkAndContinue(world, JOB_KINDS[0], 3);
  });
});
