/**
 * Issue 15, contract side: a member registers its BLS public key itself, with a proof of possession
 * (a signature over its compressed key and its address under the PoP DST). Every malformed key or
 * proof, and every key without a valid proof, is refused with its own error.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { Signer } from "ethers";
import { BLS_SIGNATURE_DST, blsCurve, g1Words, g2Words, popMessage, signProofOfPossession, type G2Words } from "../../node/src/core/bls.js";
import { blsMembers, g1OutsideSubgroup, g2OutsideSubgroup, type BlsMember, type BlsVotesHarness } from "./blsFixtures.js";

const INFINITY_G1 = { xHi: 0n, xLo: 0n, yHi: 0n, yLo: 0n };
const INFINITY_G2: G2Words = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];

describe("BLS key registry", function () {
  let harness: BlsVotesHarness;
  let member: Signer;
  let address: string;
  let outsider: Signer;
  let keys: BlsMember["keys"];

  beforeEach(async function () {
    const { ethers } = await network.create();
    const [first, second] = await ethers.getSigners();
    if (first === undefined || second === undefined) throw new Error("no accounts");
    member = first;
    outsider = second;
    address = await member.getAddress();
    harness = (await ethers.deployContract("BlsVotesHarness")) as unknown as BlsVotesHarness;
    await harness.enter(address);
    keys = blsMembers(1, "registrant")[0]!.keys;
  });

  const pop = (forAddress = address, with_ = keys) => g2Words(signProofOfPossession(with_, forAddress));

  it("registers a member's key with its proof of possession as key 0 and adds it to the aggregate", async function () {
    await expect(harness.connect(member).registerBlsKey(g1Words(keys.publicKey), pop()))
      .to.emit(harness, "BlsKeyRegistered");
    expect(await harness.blsKeyCount()).to.equal(1n);
    const [registered, index, key] = await harness.blsKeyOf(address);
    expect([registered, index]).to.deep.equal([true, 0n]);
    const words = g1Words(keys.publicKey);
    expect([...key]).to.deep.equal([words.xHi, words.xLo, words.yHi, words.yLo]);
    expect([...(await harness.aggregateBlsKey())]).to.deep.equal([...key]);
  });

  it("refuses a key from an account that is not a member", async function () {
    await expect(harness.connect(outsider).registerBlsKey(g1Words(keys.publicKey), pop(await outsider.getAddress())))
      .to.be.revertedWithCustomError(harness, "NotABlsRegistrant");
  });

  it("refuses a key whose proof of possession is another key's", async function () {
    const other = blsMembers(1, "other")[0]!.keys;
    await expect(harness.connect(member).registerBlsKey(g1Words(keys.publicKey), pop(address, other)))
      .to.be.revertedWithCustomError(harness, "InvalidProofOfPossession")
      .withArgs(address);
  });

  it("refuses a proof of possession made for another member's address (no registering someone else's key first)", async function () {
    await expect(harness.connect(member).registerBlsKey(g1Words(keys.publicKey), pop(await outsider.getAddress())))
      .to.be.revertedWithCustomError(harness, "InvalidProofOfPossession");
  });

  it("refuses a vote-DST signature of the key over the PoP message as a proof of possession", async function () {
    const bls = blsCurve.longSignatures;
    const signature = bls.sign(bls.hash(popMessage(keys.publicKey, address), BLS_SIGNATURE_DST), keys.secretKey);
    await expect(harness.connect(member).registerBlsKey(g1Words(keys.publicKey), g2Words(signature)))
      .to.be.revertedWithCustomError(harness, "InvalidProofOfPossession");
  });

  it("refuses a second key for the same member", async function () {
    await harness.connect(member).registerBlsKey(g1Words(keys.publicKey), pop());
    const other = blsMembers(1, "other")[0]!.keys;
    await expect(harness.connect(member).registerBlsKey(g1Words(other.publicKey), pop(address, other)))
      .to.be.revertedWithCustomError(harness, "BlsKeyAlreadyRegistered");
  });

  it("refuses a key another member registered already", async function () {
    await harness.connect(member).registerBlsKey(g1Words(keys.publicKey), pop());
    const second = await outsider.getAddress();
    await harness.enter(second);
    await expect(harness.connect(outsider).registerBlsKey(g1Words(keys.publicKey), pop(second)))
      .to.be.revertedWithCustomError(harness, "BlsKeyTaken");
  });

  it("refuses the point at infinity as a key", async function () {
    await expect(harness.connect(member).registerBlsKey(INFINITY_G1, pop()))
      .to.be.revertedWithCustomError(harness, "PublicKeyAtInfinity");
  });

  it("refuses a key that is not on the curve", async function () {
    const words = g1Words(keys.publicKey);
    await expect(harness.connect(member).registerBlsKey({ ...words, yLo: words.yLo ^ 1n }, pop()))
      .to.be.revertedWithCustomError(harness, "PublicKeyNotOnCurve");
  });

  it("refuses a key with a coordinate not below the field modulus", async function () {
    const words = g1Words(keys.publicKey);
    await expect(harness.connect(member).registerBlsKey({ ...words, xHi: words.xHi | (1n << 127n) }, pop()))
      .to.be.revertedWithCustomError(harness, "PublicKeyNotOnCurve");
  });

  it("refuses a key on the curve but outside the subgroup", async function () {
    await expect(harness.connect(member).registerBlsKey(g1OutsideSubgroup(), pop()))
      .to.be.revertedWithCustomError(harness, "PublicKeyNotInSubgroup");
  });

  it("refuses a proof of possession at infinity", async function () {
    await expect(harness.connect(member).registerBlsKey(g1Words(keys.publicKey), INFINITY_G2))
      .to.be.revertedWithCustomError(harness, "SignatureAtInfinity");
  });

  it("refuses a proof of possession off the twist", async function () {
    const words = pop();
    words[5] = words[5] ^ 1n;
    await expect(harness.connect(member).registerBlsKey(g1Words(keys.publicKey), words))
      .to.be.revertedWithCustomError(harness, "SignatureNotOnCurve");
  });

  it("refuses a proof of possession on the twist but outside the subgroup", async function () {
    await expect(harness.connect(member).registerBlsKey(g1Words(keys.publicKey), g2OutsideSubgroup()))
      .to.be.revertedWithCustomError(harness, "SignatureNotInSubgroup");
  });
});
