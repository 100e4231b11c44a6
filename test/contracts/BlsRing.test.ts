/**
 * Issue 15, contract side: a BLS ring, chosen at creation (RingFactory.createBlsRing). Its members
 * register BLS keys themselves, and a round is flushed with one aggregate signature and a signer
 * bitmap; leaving the ring removes the member's key.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, keccak256, toUtf8Bytes, type Signer } from "ethers";
import { g1Words, g2Words, signProofOfPossession } from "../../node/src/core/bls.js";
import { aggregateVoteDigest, outputsHash, ringDomain } from "../../node/src/core/eip712.js";
import { signLogNode } from "../../node/src/core/logNode.js";
import { membershipSignatures, NO_OUTPUTS, previousMember, signMembership } from "../../node/src/core/ringVotes.js";
import type { BlsRing } from "../../types/index.js";
import { aggregateVote, blsMembers, type BlsMember } from "./blsFixtures.js";
import { deployRings, type Ethers } from "./fixtures.js";

const HEAD = keccak256(toUtf8Bytes("ring node head"));

describe("BLS ring", function () {
  let ethers: Ethers;
  let ring: BlsRing;
  let owner: Signer;
  let accounts: Signer[];
  let members: BlsMember[];
  let chainId: bigint;

  /** A BLS ring of 4 funded accounts, each of which registered its key. */
  beforeEach(async function () {
    const connection = await network.create();
    ethers = connection.ethers;
    const signers = await ethers.getSigners();
    owner = signers[0]!;
    accounts = signers.slice(2, 6);
    const addresses = await Promise.all(accounts.map((a) => a.getAddress()));
    const { factory } = await deployRings(connection);
    const receipt = await (await factory.createBlsRing(addresses, await owner.getAddress())).wait();
    const created = receipt!.logs.map((log) => factory.interface.parseLog(log)).find((parsed) => parsed?.name === "RingCreated");
    ring = await ethers.getContractAt("BlsRing", created!.args.ring as string);
    expect(await factory.isRing(await ring.getAddress())).to.equal(true);
    chainId = (await ethers.provider.getNetwork()).chainId;
    members = blsMembers(4, "bls-ring").map((m, i) => ({ ...m, address: addresses[i]! }));
    for (const [i, member] of members.entries()) {
      await ring.connect(accounts[i]).registerBlsKey(g1Words(member.keys.publicKey), g2Words(signProofOfPossession(member.keys, member.address)));
    }
  });

  async function flushBy(signers: readonly BlsMember[], indices: number[], round = 1n, signed: { membershipEpoch?: bigint; ringNodeHead?: string } = {}) {
    const ringNodeHead = signed.ringNodeHead ?? HEAD;
    const digest = aggregateVoteDigest(ringDomain(chainId, await ring.getAddress()), {
      round,
      membershipEpoch: signed.membershipEpoch ?? (await ring.membershipEpoch()),
      ringNodeHead,
      headsRoot: ethers.ZeroHash,
      outputsHash: outputsHash(NO_OUTPUTS),
    });
    const { signature, bitmap, nonSigners } = aggregateVote(signers, indices, digest);
    return ring.flushAggregate(round, ringNodeHead, ethers.ZeroHash, NO_OUTPUTS, { signerBitmap: bitmap, nonSignerKeys: nonSigners, signature }, []);
  }

  it("signs the digest the ring computes", async function () {
    const digest = aggregateVoteDigest(ringDomain(chainId, await ring.getAddress()), { round: 3n, membershipEpoch: 0n, ringNodeHead: HEAD, headsRoot: HEAD, outputsHash: outputsHash(NO_OUTPUTS) });
    expect(await ring.aggregateVoteDigest(3n, 0n, HEAD, HEAD, outputsHash(NO_OUTPUTS))).to.equal(digest);
  });

  it("flushes a round signed by 3 of 4 members: the ring log records its head", async function () {
    const tx = await flushBy(members, [0, 1, 3]);
    await expect(tx).to.emit(ring, "Flushed");
    await expect(tx).to.emit(ring, "AggregateAgreed").withArgs(1n, ethers.ZeroHash, [0b1011n]);
    console.log(`      gas of BlsRing.flushAggregate, 3 of 4 signing: ${(await tx.wait())!.gasUsed}`);
    expect(await ring.round()).to.equal(1n);
    expect(await ring.ringLog(1n)).to.equal(HEAD);
  });

  it("refuses a round signed by 2 of 4 members", async function () {
    await expect(flushBy(members, [0, 1])).to.be.revertedWithCustomError(ring, "InsufficientSigners").withArgs(2n, 3n);
  });

  it("refuses an aggregate flush of a zero ring head (audit finding 7)", async function () {
    await expect(flushBy(members, [0, 1, 3], 1n, { ringNodeHead: ethers.ZeroHash })).to.be.revertedWithCustomError(ring, "EmptyRingNodeHead");
    expect(await ring.round()).to.equal(0n);
  });

  it("refuses an aggregate signed under the membership epoch before the engine's exit (audit finding 4)", async function () {
    const staleEpoch = await ring.membershipEpoch();
    const leaving = members[3]!.address;
    await ring.connect(owner).exit(previousMember([...(await ring.members())], leaving), leaving);
    // The three signers are still members with keys 0..2, and 3 of 3 would be a majority.
    await expect(flushBy(members.slice(0, 3), [0, 1, 2], 1n, { membershipEpoch: staleEpoch })).to.be.revertedWithCustomError(ring, "InvalidAggregateSignature");
    await flushBy(members.slice(0, 3), [0, 1, 2]);
    expect(await ring.round()).to.equal(1n);
  });

  it("refuses a key registration by an account that is not a member", async function () {
    const [outsider] = blsMembers(1, "outsider");
    const signer = (await ethers.getSigners())[10]!;
    const address = await signer.getAddress();
    await expect(ring.connect(signer).registerBlsKey(g1Words(outsider!.keys.publicKey), g2Words(signProofOfPossession(outsider!.keys, address))))
      .to.be.revertedWithCustomError(ring, "NotABlsRegistrant")
      .withArgs(address);
  });

  it("removes a member's key when the engine removes the member: the rest flush with the new bitmap", async function () {
    const leaving = members[1]!.address;
    await ring.connect(owner).exit(previousMember([...(await ring.members())], leaving), leaving);
    expect(await ring.blsKeyCount()).to.equal(3n);
    const [registered] = await ring.blsKeyOf(leaving);
    expect(registered).to.equal(false);
    const remaining = [members[0]!, members[3]!, members[2]!]; // the last key took index 1
    await flushBy(remaining, [0, 1]);
    expect(await ring.round()).to.equal(1n);
  });

  it("refuses the old bitmap after the member of the last key left: its bit has no key", async function () {
    const leaving = members[3]!.address;
    await ring.connect(owner).exit(previousMember([...(await ring.members())], leaving), leaving);
    await expect(flushBy(members, [0, 1, 2, 3])).to.be.revertedWithCustomError(ring, "SignerNotRegistered").withArgs(3n);
  });

  it("removes a member's key when 3 of 4 members vote it out (exitByVote), and the other three flush", async function () {
    const leaving = members[0]!.address;
    const block = await ethers.provider.getBlock("latest");
    const deadline = BigInt((block?.timestamp ?? 0) + 3600);
    const domain = ringDomain(chainId, await ring.getAddress());
    const message = { enter: false, member: leaving, membershipEpoch: await ring.membershipEpoch(), deadline };
    const signed = await Promise.all(accounts.slice(1).map((account) => signMembership(account, domain, message)));
    await ring.exitByVote(previousMember([...(await ring.members())], leaving), leaving, message.membershipEpoch, deadline, membershipSignatures(signed));
    expect((await ring.blsKeyOf(leaving))[0]).to.equal(false);
    const remaining = [members[3]!, members[1]!, members[2]!]; // the last key took index 0
    await flushBy(remaining, [0, 1]);
    expect(await ring.round()).to.equal(1n);
  });

  it("removes a member's key when a fork proof ejects it, and the other three flush", async function () {
    const forker = members[3]!.address;
    const domain = ringDomain(chainId, await ring.getAddress());
    const node = (text: string) =>
      signLogNode({ v: 1, ring: getAddress(domain.verifyingContract!), author: getAddress(forker), seq: 7, prev: [], payload: { text } }, accounts[3]!, domain);
    const [a, b] = [await node("a"), await node("b")];
    await ring.proveFork(forker, 7n, a.digest, ethers.hexlify(a.node.sig), b.digest, ethers.hexlify(b.node.sig));
    expect((await ring.blsKeyOf(forker))[0]).to.equal(false);
    expect(await ring.blsKeyCount()).to.equal(3n);
    await flushBy(members.slice(0, 3), [0, 1]);
    expect(await ring.round()).to.equal(1n);
  });
});
