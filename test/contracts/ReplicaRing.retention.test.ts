/**
 * Retention: a ReplicaRing registration runs for the periods paid (the fee pays one), `renew` pays
 * more, and once the last has run out the ring is no longer registered and `expire` announces it.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { Signer } from "ethers";
import type { ReplicaRing, Ring } from "../../types/index.js";
import { createRing, deployRings, type Connection, type RingsDeployment } from "./fixtures.js";

const FEE = 10n ** 15n;
const PERIOD = 3_600n;
const COMMITMENT = `0x${"ab".repeat(32)}`;

describe("ReplicaRing retention", function () {
  let connection: Connection;
  let deployment: RingsDeployment;
  let replicaRing: ReplicaRing;
  let client: Ring;
  let engine: Signer;
  let clientMember: Signer;
  let stranger: Signer;

  const latest = async () => BigInt((await connection.ethers.provider.getBlock("latest"))?.timestamp ?? 0);
  const passTime = async (seconds: bigint) => {
    await connection.ethers.provider.send("evm_increaseTime", [Number(seconds)]);
    await connection.ethers.provider.send("evm_mine", []);
  };

  beforeEach(async function () {
    connection = await network.create();
    const { ethers } = connection;
    const accounts = await ethers.getSigners();
    [engine, clientMember, stranger] = accounts as unknown as [Signer, Signer, Signer];
    deployment = await deployRings(connection);
    const nodes = await Promise.all(accounts.slice(4, 6).map((account) => account.getAddress()));
    const created = await (await deployment.factory.createReplicaRingWithPeriod(nodes, await engine.getAddress(), FEE, PERIOD)).wait();
    const event = created?.logs.map((log) => deployment.factory.interface.parseLog(log)).find((parsed) => parsed?.name === "ReplicaRingCreated");
    replicaRing = await ethers.getContractAt("ReplicaRing", event?.args.replicaRing as string);
    client = await createRing(ethers, deployment.factory, [await clientMember.getAddress()], await engine.getAddress());
    await replicaRing.deposit(await clientMember.getAddress(), { value: FEE * 10n });
  });

  it("gives replica rings made without a period the factory's default of 30 days per fee", async function () {
    const nodes = await Promise.all((await connection.ethers.getSigners()).slice(7, 8).map((account) => account.getAddress()));
    const [, address] = await deployment.factory.createReplicaRing.staticCall(nodes, await engine.getAddress(), FEE);
    await deployment.factory.createReplicaRing(nodes, await engine.getAddress(), FEE);
    expect(await (await connection.ethers.getContractAt("ReplicaRing", address)).period()).to.equal(30n * 24n * 3_600n);
    expect(await deployment.factory.DEFAULT_REPLICA_PERIOD()).to.equal(30n * 24n * 3_600n);
  });

  it("refuses a replica ring whose period is zero", async function () {
    const nodes = [await stranger.getAddress()];
    await expect(deployment.factory.createReplicaRingWithPeriod(nodes, await engine.getAddress(), FEE, 0n)).to.be.revertedWithCustomError(replicaRing, "ZeroPeriod");
  });

  it("registers a ring for one period, paid by the fee, and says when it runs out", async function () {
    const ring = await client.getAddress();
    const registering = replicaRing.connect(clientMember).register(ring, COMMITMENT);
    await expect(registering).to.emit(replicaRing, "RegistrationRenewed");
    const expiresAt = await replicaRing.expiresAt(ring);
    expect(expiresAt).to.equal((await latest()) + PERIOD);
    expect(await replicaRing.isRegistered(ring)).to.equal(true);
  });

  it("is no longer registered once the period has run out", async function () {
    const ring = await client.getAddress();
    await replicaRing.connect(clientMember).register(ring, COMMITMENT);
    await passTime(PERIOD);
    expect(await replicaRing.isRegistered(ring)).to.equal(false);
    expect(await replicaRing.registrations()).to.deep.equal([ring]);
  });

  it("extends a running registration from its expiry by the periods renewed, charging the fee for each", async function () {
    const ring = await client.getAddress();
    await replicaRing.connect(clientMember).register(ring, COMMITMENT);
    const before = await replicaRing.expiresAt(ring);
    await expect(replicaRing.connect(clientMember).renew(ring, 3n))
      .to.emit(replicaRing, "RegistrationRenewed")
      .withArgs(ring, await clientMember.getAddress(), 3n, before + 3n * PERIOD);
    expect(await replicaRing.creditOf(await clientMember.getAddress())).to.equal(FEE * 6n);
    expect(await replicaRing.collectedFees()).to.equal(FEE * 4n);
  });

  it("restarts a run-out registration from now when it is renewed", async function () {
    const ring = await client.getAddress();
    await replicaRing.connect(clientMember).register(ring, COMMITMENT);
    await passTime(PERIOD * 2n);
    await replicaRing.connect(clientMember).renew(ring, 1n);
    expect(await replicaRing.expiresAt(ring)).to.equal((await latest()) + PERIOD);
    expect(await replicaRing.isRegistered(ring)).to.equal(true);
  });

  it("lets anyone with credit renew, and refuses 0 periods, too many periods, too little credit and unknown rings", async function () {
    const ring = await client.getAddress();
    await replicaRing.connect(clientMember).register(ring, COMMITMENT);
    await expect(replicaRing.connect(stranger).renew(ring, 1n))
      .to.be.revertedWithCustomError(replicaRing, "InsufficientCredit")
      .withArgs(await stranger.getAddress(), 0n, FEE);
    await replicaRing.deposit(await stranger.getAddress(), { value: FEE });
    await expect(replicaRing.connect(stranger).renew(ring, 1n)).to.emit(replicaRing, "RegistrationRenewed");
    await expect(replicaRing.renew(ring, 0n)).to.be.revertedWithCustomError(replicaRing, "PeriodsOutOfRange").withArgs(0n, 1000n);
    await expect(replicaRing.renew(ring, 1001n)).to.be.revertedWithCustomError(replicaRing, "PeriodsOutOfRange").withArgs(1001n, 1000n);
    await expect(replicaRing.renew(await stranger.getAddress(), 1n))
      .to.be.revertedWithCustomError(replicaRing, "NotRegistered")
      .withArgs(await stranger.getAddress());
  });

  it("announces a lapse once per expiry, and not before it", async function () {
    const ring = await client.getAddress();
    await replicaRing.connect(clientMember).register(ring, COMMITMENT);
    const expiresAt = await replicaRing.expiresAt(ring);
    await expect(replicaRing.connect(stranger).expire(ring)).to.be.revertedWithCustomError(replicaRing, "NotExpired").withArgs(ring, expiresAt);
    await passTime(PERIOD);
    await expect(replicaRing.connect(stranger).expire(ring)).to.emit(replicaRing, "RegistrationExpired").withArgs(ring, expiresAt);
    await expect(replicaRing.connect(stranger).expire(ring)).to.be.revertedWithCustomError(replicaRing, "LapseAlreadyAnnounced").withArgs(ring, expiresAt);
  });
});
