import { expect } from "chai";
import { network } from "hardhat";
import type { Signer } from "ethers";
import { deployRings, digest, type RingsDeployment } from "./fixtures.js";

describe("Scope", function () {
  let scope: RingsDeployment["scope"];
  let first: Signer;
  let second: Signer;
  let ethers: Awaited<ReturnType<typeof network.create>>["ethers"];

  beforeEach(async function () {
    const connection = await network.create();
    ethers = connection.ethers;
    const signers = await ethers.getSigners();
    if (signers[0] === undefined || signers[1] === undefined) throw new Error("no accounts");
    [first, second] = [signers[0], signers[1]];
    scope = (await deployRings(connection)).scope;
  });

  it("records a declaration per declarer, so a later declarer is not displaced by an earlier one", async function () {
    const cid = digest(ethers);
    await scope.connect(first).declareData([cid]);
    await expect(scope.connect(second).declareData([cid]))
      .to.emit(scope, "DataDeclared")
      .withArgs(BigInt(cid), await second.getAddress(), cid);
    expect(await scope.isDeclaredBy(BigInt(cid), await first.getAddress())).to.equal(true);
    expect(await scope.isDeclaredBy(BigInt(cid), await second.getAddress())).to.equal(true);
    expect(await scope.isDeclaredBy(BigInt(digest(ethers)), await second.getAddress())).to.equal(false);
  });

  it("refuses the zero digest as a CID", async function () {
    await expect(scope.declareData([ethers.ZeroHash])).to.be.revertedWithCustomError(scope, "EmptyCid");
  });
});
