/**
 * The fork fault with a WebAssembly job, on a 4-member ring of its own (separate `ring-node`
 * processes, `hardhat node`): the same scenario rounds.test.ts runs with the JavaScript job.
 */
import { after, afterEach, before, describe, it } from "mocha";
import { readCorpus } from "../../../node/src/compute/index.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";
import { CORPUS, forkAndContinue, JOB_KINDS } from "./wordcountJobs.js";

describe("rounds: a member forking its log while the ring computes a WebAssembly job", function () {
  this.timeout(240_000);
  let world: RoundsRing;

  before(async function () {
    if (CORPUS.length === 0) CORPUS.push(...(await readCorpus()));
    world = await startRoundsRing(4, "wasmfork");
    for (let i = 0; i < 4; i++) await world.start(i);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await world?.saveLogs(this.currentTest.title);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("the others prove the fork on chain, the forker is ejected, and the ring continues with 3", async function () {
    await forkAndContinue(world, JOB_KINDS[1], 3);
  });
});
