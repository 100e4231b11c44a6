import { expect } from "chai";
import { network } from "hardhat";
import type { Signer } from "ethers";
import type { ReplicaRing, Ring } from "../../types/index.js";
import { deployRings, type Connection } from "./fixtures.js";

const FEE = 10n ** 15n;
const URL = "https://replica-1.example:8545/";

describe("ReplicaRing endpoints: where each replica node serves JSON-RPC", function () {
  let connection: Connection;
  let replicaRing: ReplicaRing;
  let replicas: Ring;
  let engine: Signer;
  let stranger: Signer;
  let nodes: Signer[];

  beforeEach(async function () {
    connection = await network.create();
    const { ethers } = connection;
    const accounts = await ethers.getSigners();
    [engine, stranger] = accounts as unknown as [Signer, Signer];
    nodes = accounts.slice(4, 7);
    const deployment = await deployRings(connection);
    const created = await (await deployment.factory.createReplicaRing(await Promise.all(nodes.map((node) => node.getAddress())), await engine.getAddress(), FEE)).wait();
    const event = created?.logs.map((log) => deployment.factory.interface.parseLog(log)).find((parsed) => parsed?.name === "ReplicaRingCreated");
    replicaRing = await ethers.getContractAt("ReplicaRing", event?.args.replicaRing as string);
    replicas = await ethers.getContractAt("Ring", event?.args.ring as string);
  });

  it("a member of the replica ring's ring publishes its URL: endpointOf returns it and EndpointSet names it", async function () {
    const node = nodes[1] as Signer;
    await expect(replicaRing.connect(node).setEndpoint(URL)).to.emit(replicaRing, "EndpointSet").withArgs(await node.getAddress(), URL);
    expect(await replicaRing.endpointOf(await node.getAddress())).to.equal(URL);
    expect(await replicaRing.endpointOf(await (nodes[0] as Signer).getAddress())).to.equal("");
  });

  it("a later URL replaces the first, and the empty string withdraws it", async function () {
    const node = nodes[0] as Signer;
    await (await replicaRing.connect(node).setEndpoint(URL)).wait();
    await (await replicaRing.connect(node).setEndpoint("http://127.0.0.1:9000/")).wait();
    expect(await replicaRing.endpointOf(await node.getAddress())).to.equal("http://127.0.0.1:9000/");
    await (await replicaRing.connect(node).setEndpoint("")).wait();
    expect(await replicaRing.endpointOf(await node.getAddress())).to.equal("");
  });

  it("an account that is no member of the replica ring's ring is refused", async function () {
    await expect(replicaRing.connect(stranger).setEndpoint(URL)).to.be.revertedWithCustomError(replicaRing, "NotAReplicaMember").withArgs(await stranger.getAddress());
  });

  it(`a URL longer than MAX_ENDPOINT_BYTES (256) is refused, one of 256 bytes is kept`, async function () {
    const node = nodes[2] as Signer;
    expect(await replicaRing.MAX_ENDPOINT_BYTES()).to.equal(256n);
    await expect(replicaRing.connect(node).setEndpoint("x".repeat(257))).to.be.revertedWithCustomError(replicaRing, "EndpointTooLong").withArgs(257n, 256n);
    await (await replicaRing.connect(node).setEndpoint("x".repeat(256))).wait();
    expect(await replicaRing.endpointOf(await node.getAddress())).to.have.length(256);
  });

  it("a member removed from the replica ring's ring no longer has an endpoint", async function () {
    const [first, second] = nodes as [Signer, Signer];
    await (await replicaRing.connect(second).setEndpoint(URL)).wait();
    await (await replicas.connect(engine).exit(await first.getAddress(), await second.getAddress())).wait();
    expect(await replicaRing.endpointOf(await second.getAddress())).to.equal("");
  });
});
