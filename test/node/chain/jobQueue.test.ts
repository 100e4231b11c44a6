/**
 * The chain layer's JobQueue reads and writes over plain JSON-RPC (a spawned hardhat node): queued
 * jobs come back per ring, in sequence order, from any starting block; a refused job names its reason.
 */
import { expect } from "chai";
import { hexlify, randomBytes, Wallet } from "ethers";
import { CallRefusedError, JobQueueReads, JobQueueWriter } from "../../../node/src/chain/index.js";
import { startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { deployRingsContracts } from "../../../scripts/devnet/ringsOnChain.js";

describe("JobQueue reads and writes over JSON-RPC", function () {
  this.timeout(120_000);
  let chain: HardhatNode;
  let queue: string;
  const ring = Wallet.createRandom().address;
  const otherRing = Wallet.createRandom().address;

  before(async () => {
    chain = await startHardhatNode();
    queue = (await deployRingsContracts(chain.account(0))).jobQueue;
  });

  after(async () => {
    await chain?.stop();
  });

  it("reads a ring's queued jobs in sequence order with their spec digests and submitter, and not another ring's", async () => {
    const writer = new JobQueueWriter(queue, chain.account(1));
    const from = await chain.provider.getBlockNumber();
    const digests = [hexlify(randomBytes(32)), hexlify(randomBytes(32)), hexlify(randomBytes(32))];
    for (const digest of digests) await writer.submitJob(ring, digest);
    await writer.submitJob(otherRing, hexlify(randomBytes(32)));
    const reads = new JobQueueReads(queue, chain.provider);
    const jobs = await reads.queuedJobs(ring, from, await chain.provider.getBlockNumber());
    expect(jobs.map((job) => [job.sequence, job.specDigest])).to.deep.equal(digests.map((digest, i) => [i + 1, digest]));
    const submitter = await chain.account(1).getAddress();
    expect(jobs.every((job) => job.submitter === submitter && job.ring === ring)).to.equal(true);
    expect(await reads.queued(ring)).to.equal(3);
    expect(await reads.queued(otherRing)).to.equal(1);
  });

  it("a scan that starts after a job's block does not see it", async () => {
    const writer = new JobQueueWriter(queue, chain.account(1));
    const queued = await writer.submitJob(otherRing, hexlify(randomBytes(32)));
    const reads = new JobQueueReads(queue, chain.provider);
    expect(await reads.queuedJobs(otherRing, queued.blockNumber + 1, queued.blockNumber + 5)).to.deep.equal([]);
    expect((await reads.queuedJobs(otherRing, queued.blockNumber, queued.blockNumber)).map((job) => job.sequence)).to.deep.equal([queued.sequence]);
  });

  it("a zero spec digest is refused before anything is sent, naming EmptySpec", async () => {
    const writer = new JobQueueWriter(queue, chain.account(1));
    const refused = await writer.submitJob(ring, "0x" + "00".repeat(32)).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(CallRefusedError);
    expect((refused as Error).message).to.contain("EmptySpec");
  });
});
