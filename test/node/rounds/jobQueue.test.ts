/**
 * Jobs queued on chain, with real ring-node processes and a spawned hardhat node: members started
 * with `--job-queue` read the queue's events, and a queued job whose spec no one holds is given up
 * after bounded fetch attempts, answered by GetJob as failed with its reason (not retried forever).
 */
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { JobQueueWriter } from "../../../node/src/chain/index.js";
import { bytes32ToCid } from "../../../node/src/core/cid.js";
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
