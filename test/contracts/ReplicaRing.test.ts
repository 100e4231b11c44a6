import { expect } from "chai";
import { network } from "hardhat";
import type { Signer } from "ethers";
import type { ReplicaRing, Ring } from "../../types/index.js";
import { createRing, deployRings, signForwardRequest, type Connection, type RingsDeployment } from "./fixtures.js";

const FEE = 10n ** 15n;
/** Any non-zero commitment: the contract keeps it, the node checks keys against it. */
const COMMITMENT = `0x${"ab".repeat(32)}`;
const ZERO = `0x${"00".repeat(32)}`;

describe("ReplicaRing", function () {
  let connection: Connection;
  let deployment: RingsDeployment;
  let replicaRing: ReplicaRing;
  let replicas: Ring;
  let client: Ring;
  let engine: Signer;
  let relayer: Signer;
  let clientMember: Signer;
  let stranger: Signer;

  beforeEach(async function () {
    connection = await network.create();
    const { ethers } = connection;
    const accounts = await ethers.getSigners();
    const [first, second, third, fourth] = accounts;
    if (first === undefined || second === undefined || third === undefined || fourth === undefined) throw new Error("too few accounts");
    [engine, relayer, clientMember, stranger] = [first, second, third, fourth];
    deployment = await deployRings(connection);
    const replicaNodes = await Promise.all(accounts.slice(4, 7).map((account) => account.getAddress()));
    const created = await (await deployment.factory.createReplicaRing(replicaNodes, await engine.getAddress(), FEE)).wait();
    const event = created?.logs.map((log) => deployment.factory.interface.parseLog(log)).find((parsed) => parsed?.name === "ReplicaRingCreated");
    replicaRing = await ethers.getContractAt("ReplicaRing", event?.args.replicaRing as string);
    replicas = await ethers.getContractAt("Ring", event?.args.ring as string);
    client = await createRing(ethers, deployment.factory, [await clientMember.getAddress()], await engine.getAddress());
  });

  it("is bound to its replica nodes' ring, the factory and the fee", async function () {
    expect(await replicaRing.ring()).to.equal(await replicas.getAddress());
    expect(await replicaRing.factory()).to.equal(await deployment.factory.getAddress());
    expect(await replicaRing.fee()).to.equal(FEE);
    expect(await deployment.factory.replicaRingOf(await replicas.getAddress())).to.equal(await replicaRing.getAddress());
    expect(await replicaRing.isTrustedForwarder(await deployment.forwarder.getAddress())).to.equal(true);
  });

  it("emits its ring, fee and factory when the factory creates it", async function () {
    const { ethers } = connection;
    const nodes = await Promise.all((await ethers.getSigners()).slice(7, 9).map((account) => account.getAddress()));
    const factory = await deployment.factory.getAddress();
    const [ringAddress, replicaRingAddress] = await deployment.factory.createReplicaRing.staticCall(nodes, await engine.getAddress(), FEE);
    const created = await ethers.getContractAt("ReplicaRing", replicaRingAddress);
    await expect(deployment.factory.createReplicaRing(nodes, await engine.getAddress(), FEE))
      .to.emit(created, "Configured")
      .withArgs(ringAddress, FEE, factory);
  });

  it("credits deposits to the account named", async function () {
    const member = await clientMember.getAddress();
    await expect(replicaRing.connect(stranger).deposit(member, { value: FEE * 2n })).to.emit(replicaRing, "CreditDeposited").withArgs(member, FEE * 2n);
    expect(await replicaRing.creditOf(member)).to.equal(FEE * 2n);
  });

  it("registers a client ring through the forwarder, charging the member's credit", async function () {
    const member = await clientMember.getAddress();
    const clientAddress = await client.getAddress();
    await replicaRing.deposit(member, { value: FEE * 3n });
    const data = replicaRing.interface.encodeFunctionData("register", [clientAddress, COMMITMENT]);
    const request = await signForwardRequest(deployment.forwarder, clientMember, await replicaRing.getAddress(), data);
    await expect(deployment.forwarder.connect(relayer).execute(request)).to.emit(replicaRing, "RingRegistered").withArgs(clientAddress, member, FEE);
    expect(await replicaRing.isRegistered(clientAddress)).to.equal(true);
    expect((await replicaRing.registrationOf(clientAddress))[0]).to.equal(member);
    expect(await replicaRing.replicaKeyCommitmentOf(clientAddress)).to.equal(COMMITMENT);
    expect(await replicaRing.registrations()).to.deep.equal([clientAddress]);
    expect(await replicaRing.creditOf(member)).to.equal(FEE * 2n);
    expect(await replicaRing.collectedFees()).to.equal(FEE);
  });

  it("refuses a registration by someone who is not a member of the client ring", async function () {
    const outsider = await stranger.getAddress();
    await replicaRing.deposit(outsider, { value: FEE });
    await expect(replicaRing.connect(stranger).register(await client.getAddress(), COMMITMENT))
      .to.be.revertedWithCustomError(replicaRing, "NotAClientMember")
      .withArgs(outsider, await client.getAddress());
  });

  it("refuses a registration that commits to no replica key", async function () {
    await replicaRing.deposit(await clientMember.getAddress(), { value: FEE });
    await expect(replicaRing.connect(clientMember).register(await client.getAddress(), ZERO))
      .to.be.revertedWithCustomError(replicaRing, "ZeroKeyCommitment")
      .withArgs(await client.getAddress());
  });

  it("refuses a registration without enough credit", async function () {
    const member = await clientMember.getAddress();
    await expect(replicaRing.connect(clientMember).register(await client.getAddress(), COMMITMENT))
      .to.be.revertedWithCustomError(replicaRing, "InsufficientCredit")
      .withArgs(member, 0n, FEE);
  });

  it("refuses a ring the factory did not create, and a second registration", async function () {
    const member = await clientMember.getAddress();
    await replicaRing.deposit(member, { value: FEE * 2n });
    await expect(replicaRing.connect(clientMember).register(await deployment.gate.getAddress(), COMMITMENT))
      .to.be.revertedWithCustomError(replicaRing, "UnknownRing")
      .withArgs(await deployment.gate.getAddress());
    await replicaRing.connect(clientMember).register(await client.getAddress(), COMMITMENT);
    await expect(replicaRing.connect(clientMember).register(await client.getAddress(), COMMITMENT))
      .to.be.revertedWithCustomError(replicaRing, "AlreadyRegistered")
      .withArgs(await client.getAddress());
  });

  it("lets a depositor take back unused credit", async function () {
    const member = await clientMember.getAddress();
    await replicaRing.deposit(member, { value: FEE * 2n });
    await expect(replicaRing.connect(clientMember).withdrawCredit(FEE)).to.changeEtherBalances(connection.ethers, [clientMember, replicaRing], [FEE, -FEE]);
    await expect(replicaRing.connect(clientMember).withdrawCredit(FEE * 2n))
      .to.be.revertedWithCustomError(replicaRing, "InsufficientCredit")
      .withArgs(member, FEE, FEE * 2n);
  });

  it("pays collected fees to the replica ring's engine only", async function () {
    await replicaRing.deposit(await clientMember.getAddress(), { value: FEE });
    await replicaRing.connect(clientMember).register(await client.getAddress(), COMMITMENT);
    await expect(replicaRing.connect(stranger).withdrawFees(await stranger.getAddress()))
      .to.be.revertedWithCustomError(replicaRing, "NotRingOwner")
      .withArgs(await stranger.getAddress());
    await expect(replicaRing.connect(engine).withdrawFees(await relayer.getAddress())).to.changeEtherBalance(connection.ethers, relayer, FEE);
    expect(await replicaRing.collectedFees()).to.equal(0n);
  });
});
