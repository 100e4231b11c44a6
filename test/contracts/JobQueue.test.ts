import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, ZeroHash, type Signer } from "ethers";
import { deployRings, digest, type Ethers, type RingsDeployment } from "./fixtures.js";

/** The queue only counts per ring and emits: rings are plain addresses here. */
describe("JobQueue", function () {
  let queue: RingsDeployment["jobQueue"];
  let ethers: Ethers;
  let client: Signer;
  let ringA: string;
  let ringB: string;

  beforeEach(async function () {
    const connection = await network.create();
    ethers = connection.ethers;
    const [first, second, third] = await ethers.getSigners();
    if (first === undefined || second === undefined || third === undefined) throw new Error("no accounts");
    client = first;
    [ringA, ringB] = [await second.getAddress(), await third.getAddress()];
    queue = (await deployRings(connection)).jobQueue;
  });

  it("a queued job is the ring's next sequence number, from 1, and the event names the ring, sequence, submitter and spec digest", async function () {
    const spec = digest(ethers);
    await expect(queue.connect(client).submitJob(ringA, spec))
      .to.emit(queue, "JobQueued")
      .withArgs(ringA, 1n, await client.getAddress(), spec);
    await expect(queue.connect(client).submitJob(ringA, digest(ethers))).to.emit(queue, "JobQueued").withArgs(ringA, 2n, await client.getAddress(), () => true);
    expect(await queue.queued(ringA)).to.equal(2n);
  });

  it("each ring has its own sequence: jobs for one ring leave another ring's count unchanged", async function () {
    await queue.submitJob(ringA, digest(ethers));
    await queue.submitJob(ringA, digest(ethers));
    await expect(queue.submitJob(ringB, digest(ethers))).to.emit(queue, "JobQueued").withArgs(ringB, 1n, () => true, () => true);
    expect(await queue.queued(ringA)).to.equal(2n);
    expect(await queue.queued(ringB)).to.equal(1n);
  });

  it("a ring nobody queued for has a count of zero", async function () {
    expect(await queue.queued(ringB)).to.equal(0n);
  });

  it("refuses the zero address as the ring", async function () {
    await expect(queue.submitJob(ZeroAddress, digest(ethers))).to.be.revertedWithCustomError(queue, "ZeroRing");
  });

  it("refuses a zero spec digest", async function () {
    await expect(queue.submitJob(ringA, ZeroHash)).to.be.revertedWithCustomError(queue, "EmptySpec");
    expect(await queue.queued(ringA)).to.equal(0n);
  });
});
