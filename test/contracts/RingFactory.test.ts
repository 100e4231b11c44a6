import { expect } from "chai";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { network } from "hardhat";
import { DeploymentNotFoundError, deployedAddressesFile, readRingsAddresses } from "../../deploy/addresses.js";
import { createRing, deployRings, memberWallets } from "./fixtures.js";

describe("RingFactory and deployment", function () {
  it("deploys every contract with the Ignition module, wired together", async function () {
    const connection = await network.create();
    const deployment = await deployRings(connection);
    const forwarder = await deployment.forwarder.getAddress();
    expect(await deployment.ringImplementation.trustedForwarder()).to.equal(forwarder);
    expect(await deployment.replicaRingImplementation.trustedForwarder()).to.equal(forwarder);
    expect(await deployment.factory.ringImplementation()).to.equal(await deployment.ringImplementation.getAddress());
    expect(await deployment.factory.replicaRingImplementation()).to.equal(await deployment.replicaRingImplementation.getAddress());
    expect(await deployment.factory.scope()).to.equal(await deployment.scope.getAddress());
    const [deployer] = await connection.ethers.getSigners();
    expect(await deployment.gate.owner()).to.equal(await deployer!.getAddress());
  });

  it("creates rings as clones sharing the forwarder, each its own EIP-712 domain, and lists them", async function () {
    const connection = await network.create();
    const { ethers } = connection;
    const deployment = await deployRings(connection);
    const [owner] = await ethers.getSigners();
    const members = memberWallets(3).map((wallet) => wallet.address);
    const first = await createRing(ethers, deployment.factory, members, await owner!.getAddress());
    const second = await createRing(ethers, deployment.factory, members.slice(0, 2), await owner!.getAddress());
    const addresses = [await first.getAddress(), await second.getAddress()];
    expect(await deployment.factory.rings()).to.deep.equal(addresses);
    expect(await deployment.factory.ringCount()).to.equal(2n);
    expect(await deployment.factory.isRing(addresses[0]!)).to.equal(true);
    expect(await deployment.factory.isRing(await owner!.getAddress())).to.equal(false);
    expect((await ethers.provider.getCode(addresses[0]!)).length).to.be.lessThan(200); // an EIP-1167 minimal proxy
    expect(await first.trustedForwarder()).to.equal(await deployment.forwarder.getAddress());
    const domain = await first.eip712Domain();
    expect([domain.name, domain.version, domain.verifyingContract]).to.deep.equal(["Rings", "1", addresses[0]]);
    expect(await second.members()).to.deep.equal(members.slice(0, 2));
  });

  it("emits the new ring's scope when it creates a ring", async function () {
    const connection = await network.create();
    const { ethers } = connection;
    const deployment = await deployRings(connection);
    const [owner] = await ethers.getSigners();
    const members = memberWallets(2).map((wallet) => wallet.address);
    const ringAddress = await deployment.factory.createRing.staticCall(members, await owner!.getAddress());
    const ring = await ethers.getContractAt("Ring", ringAddress);
    await expect(deployment.factory.createRing(members, await owner!.getAddress()))
      .to.emit(ring, "ScopeSet")
      .withArgs(await deployment.scope.getAddress());
    expect(await ring.scope()).to.equal(await deployment.scope.getAddress());
  });

  it("reads recorded addresses per chain id and names what is missing", async function () {
    const directory = await mkdtemp(path.join(tmpdir(), "rings-deployments-"));
    try {
      expect(await rejection(readRingsAddresses(7n, directory))).to.be.instanceOf(DeploymentNotFoundError);
      const recorded = {
        "Rings#RingsForwarder": "0x0000000000000000000000000000000000000001",
        "Rings#Ring": "0x0000000000000000000000000000000000000002",
        "Rings#ReplicaRing": "0x0000000000000000000000000000000000000003",
        "Rings#Scope": "0x0000000000000000000000000000000000000004",
        "Rings#Gate": "0x0000000000000000000000000000000000000005",
        "Rings#RingFactory": "0x0000000000000000000000000000000000000006",
      };
      await mkdir(path.dirname(deployedAddressesFile(7n, directory)), { recursive: true });
      await writeFile(deployedAddressesFile(7n, directory), JSON.stringify(recorded));
      expect(await readRingsAddresses(7n, directory)).to.deep.equal({
        forwarder: recorded["Rings#RingsForwarder"],
        ringImplementation: recorded["Rings#Ring"],
        replicaRingImplementation: recorded["Rings#ReplicaRing"],
        scope: recorded["Rings#Scope"],
        gate: recorded["Rings#Gate"],
        factory: recorded["Rings#RingFactory"],
      });
      const { "Rings#Gate": _gate, ...withoutGate } = recorded;
      await writeFile(deployedAddressesFile(7n, directory), JSON.stringify(withoutGate));
      const missing = await rejection(readRingsAddresses(7n, directory));
      expect(missing).to.be.instanceOf(DeploymentNotFoundError);
      expect((missing as Error).message).to.match(/Rings#Gate/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
