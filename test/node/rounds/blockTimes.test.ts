/**
 * Rounds at a real block time: `hardhat node` mining every 2 s (automine off) and three real
 * ring-node processes. Jobs submitted while a flush is pending all become final, in fewer flushes
 * than jobs (a round carries every job ready when it starts), and none is finalised twice (each
 * job's output is declared on the Scope once).
 */
import { expect } from "chai";
import { after, afterEach, before, describe, it } from "mocha";
import { Ring__factory, Scope__factory } from "../../../types/index.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";
import { intervalMining } from "../../../scripts/bench/roundsBlockTimes.js";

const JOB = `export function map(inputs, params, shard) { return { n: params.n, shard }; }\nexport function reduce(partials, params) { return { n: params.n }; }`;

describe("rounds at a 2 s block time", function () {
  this.timeout(240_000);
  let world: RoundsRing;

  before(async function () {
    world = await startRoundsRing(3, "blocktimes");
    for (let i = 0; i < 3; i++) await world.start(i);
    // One job on automine first: connections and code loading.
    await world.jobsOf(0).submit({ source: JOB, inputs: [], params: { n: -1 }, shards: 1, redundancy: 1, pin: 0, waitMs: 60_000 });
    await intervalMining(world, 2);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await world?.saveLogs(this.currentTest.title);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("finalises every job submitted while a flush is pending, in fewer flushes than jobs, none twice", async function () {
    const provider = world.ring.chain.provider;
    const fromBlock = (await provider.getBlockNumber()) + 1;
    const first = world.jobsOf(0).submit({ source: JOB, inputs: [], params: { n: 0 }, shards: 1, redundancy: 1, pin: 0, waitMs: 60_000 });
    // A flush waits in the mempool for the next block.
    await waitFor("a pending flush", async () => ((await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }).transactions.length > 0 || undefined, 30_000);
    const more = Array.from({ length: 11 }, (_, i) => world.jobsOf(i % 3).submit({ source: JOB, inputs: [], params: { n: i + 1 }, shards: 1, redundancy: 1, pin: 0, waitMs: 90_000 }));
    const results = await Promise.all([first, ...more]);
    for (const result of results) expect(result.status, JSON.stringify(result)).to.equal("finalised");
    const toBlock = await provider.getBlockNumber();
    const ring = Ring__factory.connect(world.ring.ring, provider);
    const flushes = await ring.queryFilter(ring.filters.Flushed(), fromBlock, toBlock);
    expect(flushes.length).to.be.greaterThan(0).and.lessThan(results.length);
    const scope = Scope__factory.connect(world.ring.contracts.scope, provider);
    const declared = (await scope.queryFilter(scope.filters.DataDeclared(), fromBlock, toBlock)).map((event) => event.args.cid.toLowerCase());
    const outputs = results.map((result) => (result.output?.bytes32 as string).toLowerCase());
    expect(new Set(outputs).size).to.equal(results.length);
    expect([...declared].sort()).to.deep.equal([...outputs].sort());
  });
});
