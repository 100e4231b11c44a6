/**
 * Jobs queued on chain, with real ring-node processes and a spawned hardhat node: members started
 * with `--job-queue` read the queue's events; jobs queued while the ring is below its 2/3 are all
 * finalised, in queue order, once a second member starts; a queued job whose spec no one holds is given up
 * after bounded fetch attempts, answered by GetJob as failed with its reason (not retried forever).
 */
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { JobQueueWriter } from "../../../node/src/chain/index.js";
import { bytes32ToCid } from "../../../node/src/core/cid.js";
import { fileURLToPath } from "node:url";
import { ringNodeCommand } from "../../../scripts/devnet/ringNodeProcess.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";

describe("jobs queued on chain (ring-node processes)", function () {
  this.timeout(240_000);
  let world: RoundsRing;

  before(async function () {
    world = await startRoundsRing(3, "job-queue");
    const env = { RING_NODE_JOB_QUEUE: world.ring.contracts.jobQueue };
    for (const index of [0, 1, 2]) await world.start(index, env);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("a queued job whose spec cannot be fetched is answered as failed with its reason after bounded attempts", async function () {
    const digest = hexlify(randomBytes(32));
    await new JobQueueWriter(world.ring.contracts.jobQueue, world.ring.chain.account(0)).submitJob(world.ring.ring, digest);
    const job = bytes32ToCid(digest)?.toString() as string;
    const status = await waitFor(
      "the queued job given up",
      async () => {
        const answer = (await world.jobsOf(1).get(job).catch(() => null)) as unknown as { status: string; reason: string | null } | null;
        return answer?.status === "failed" ? answer : undefined;
      },
      90_000,
    );
    expect(status.reason).to.contain("could not be fetched in 3 attempts");
  });
});

const WORDCOUNT = fileURLToPath(new URL("../../../examples/jobs/wordcount.js", import.meta.url));

describe("jobs queued on chain while the ring is below its majority (ring-node processes)", function () {
  this.timeout(300_000);
  let world: RoundsRing;

  before(async function () {
    world = await startRoundsRing(3, "job-queue-late");
  });

  after(async function () {
    await world?.cleanup();
  });

  it("three jobs queued with one member of three up are all finalised, in queue order, once a second member starts", async function () {
    const env = { RING_NODE_JOB_QUEUE: world.ring.contracts.jobQueue };
    await world.start(0, env);
    const dataDir = world.ring.members[0]?.dataDir as string;
    const jobs: string[] = [];
    for (const text of ["one two two", "three three three", "four"]) {
      const args = ["job", "queue", world.ring.ring, "--code", WORDCOUNT, "--input", text, "--params", '{"top":5}', "--data-dir", dataDir, "--rpc-url", world.ring.chain.url, "--job-queue", world.ring.contracts.jobQueue, "--json"];
      const queued = JSON.parse(await ringNodeCommand(args)) as { job: string; sequence: number };
      expect(queued.sequence).to.equal(jobs.length + 1);
      jobs.push(queued.job);
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await world.jobsOf(0).get(jobs[0] as string)).status).to.not.equal("finalised");
    await world.start(1, env);
    const finalised = [];
    for (const job of jobs) finalised.push(await world.jobsOf(1).waitFinalised(job, 120_000));
    const rounds = finalised.map((status) => status.round ?? -1);
    expect(rounds.every((round) => round > 0)).to.equal(true);
    expect([...rounds].sort((a, b) => a - b)).to.deep.equal(rounds);
    expect(finalised.every((status) => status.output?.cid !== undefined)).to.equal(true);
  });
});
