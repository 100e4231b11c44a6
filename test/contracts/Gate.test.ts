import { expect } from "chai";
import { network } from "hardhat";
import type { Signer } from "ethers";
import { deployRings, digest, type RingsDeployment } from "./fixtures.js";

/** Two authorised writers stand for two rings: the Gate only asks whether `msg.sender` is authorised. */
describe("Gate", function () {
  let gate: RingsDeployment["gate"];
  let mapRing: Signer;
  let otherRing: Signer;
  let ethers: Awaited<ReturnType<typeof network.create>>["ethers"];

  beforeEach(async function () {
    const connection = await network.create();
    ethers = connection.ethers;
    const [owner, first, second] = await ethers.getSigners();
    if (owner === undefined || first === undefined || second === undefined) throw new Error("no accounts");
    [mapRing, otherRing] = [first, second];
    gate = (await deployRings(connection)).gate;
    await gate.connect(owner).setAuthorized(await mapRing.getAddress(), true);
    await gate.connect(owner).setAuthorized(await otherRing.getAddress(), true);
  });

  it("one authorised ring's output on a pin leaves another ring's same-numbered pin unchanged", async function () {
    const mine = digest(ethers);
    await gate.connect(mapRing).output([7n], [mine]);
    await gate.connect(otherRing).output([7n], [digest(ethers)]);
    expect(await gate.latest(await mapRing.getAddress(), 7n)).to.deep.equal([BigInt(mine), 1n]);
  });

  it("latest(ring, pin) returns the token that ring emitted last on its pin, and how many it emitted there", async function () {
    const [first, second] = [digest(ethers), digest(ethers)];
    await gate.connect(mapRing).output([7n], [first]);
    await gate.connect(mapRing).output([7n, 8n], [second, first]);
    const ring = await mapRing.getAddress();
    expect(await gate.latest(ring, 7n)).to.deep.equal([BigInt(second), 2n]);
    expect(await gate.latest(ring, 8n)).to.deep.equal([BigInt(first), 1n]);
  });

  it("latest(ring, pin) of a ring that never emitted on the pin is zero, whoever else did", async function () {
    await gate.connect(otherRing).output([7n], [digest(ethers)]);
    expect(await gate.latest(await mapRing.getAddress(), 7n)).to.deep.equal([0n, 0n]);
  });

  it("the Output event names the writing ring and counts that ring's outputs on the pin", async function () {
    const token = digest(ethers);
    await gate.connect(otherRing).output([7n], [digest(ethers)]);
    await expect(gate.connect(mapRing).output([7n], [token]))
      .to.emit(gate, "Output")
      .withArgs(7n, BigInt(token), await mapRing.getAddress(), 1n);
  });
});
