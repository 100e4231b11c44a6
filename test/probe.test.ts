import { expect } from "chai";
import { network } from "hardhat";
describe("probe", () => { it("works", async () => { const { ethers } = await network.create(); const p = await ethers.deployContract("Probe"); await p.set(5n); expect(await p.x()).to.equal(5n); }); });
