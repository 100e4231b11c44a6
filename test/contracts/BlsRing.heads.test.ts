/**
 * Issue 15, a BLS ring's flat state: a flush stores one Merkle root of the round's (member, head)
 * pairs, signed with the round (contracts/libraries/HeadsMerkle.sol, node/src/core/headsMerkle.ts),
 * and anyone opens a member's head into `logNodeHeads` with `proveHead`. Dissents go with the
 * aggregate flush and count as in an ECDSA ring.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, toUtf8Bytes, type Signer } from "ethers";
import { g1Words, g2Words, signProofOfPossession } from "../../node/src/core/bls.js";
import { aggregateVoteDigest, outputsHash, ringDomain } from "../../node/src/core/eip712.js";
import { headLeaf, headProof, headsRoot, verifyHead, type HeadPairs } from "../../node/src/core/headsMerkle.js";
import { NO_OUTPUTS, signVote, voteMessage } from "../../node/src/core/ringVotes.js";
import type { BlsRing } from "../../types/index.js";
import { aggregateVote, blsMembers, blsRing, type BlsMember } from "./blsFixtures.js";
import { deployRings, type Ethers } from "./fixtures.js";

const HEAD = keccak256(toUtf8Bytes("ring node head"));
const headOf = (label: string) => keccak256(toUtf8Bytes(label));

describe("BLS ring: heads root and proveHead", function () {
  let ethers: Ethers;
  let ring: BlsRing;
  let accounts: Signer[];
  let members: BlsMember[];
  let chainId: bigint;
  let pairs: HeadPairs;

  beforeEach(async function () {
    const connection = await network.create();
    ethers = connection.ethers;
    const signers = await ethers.getSigners();
    accounts = signers.slice(2, 6);
    const addresses = await Promise.all(accounts.map((a) => a.getAddress()));
    const { factory } = await deployRings(connection);
    const receipt = await (await factory.createBlsRing(addresses, await signers[0]!.getAddress())).wait();
    const created = receipt!.logs.map((log) => factory.interface.parseLog(log)).find((parsed) => parsed?.name === "RingCreated");
    ring = await ethers.getContractAt("BlsRing", created!.args.ring as string);
    chainId = (await ethers.provider.getNetwork()).chainId;
    members = blsMembers(4, "bls-heads").map((m, i) => ({ ...m, address: addresses[i]! }));
    for (const [i, member] of members.entries()) {
      await ring.connect(accounts[i]).registerBlsKey(g1Words(member.keys.publicKey), g2Words(signProofOfPossession(member.keys, member.address)));
    }
    pairs = Object.fromEntries(addresses.map((address, i) => [address, headOf(`head ${i}`)]));
  });

  async function flushRoot(root: string, round = 1n, options: { signedRoot?: string; indices?: number[]; dissents?: Parameters<BlsRing["flushAggregate"]>[5] } = {}) {
    const digest = aggregateVoteDigest(ringDomain(chainId, await ring.getAddress()), {
      round,
      membershipEpoch: await ring.membershipEpoch(),
      ringNodeHead: HEAD,
      headsRoot: options.signedRoot ?? root,
      outputsHash: outputsHash(NO_OUTPUTS),
    });
    const { signature, bitmap, nonSigners } = aggregateVote(members, options.indices ?? [0, 1, 2, 3], digest);
    return ring.flushAggregate(round, HEAD, root, NO_OUTPUTS, { signerBitmap: bitmap, nonSignerKeys: nonSigners, signature }, options.dissents ?? []);
  }

  it("stores the signed heads root of the round, the one the TypeScript helper computes", async function () {
    const root = headsRoot(pairs);
    await expect(flushRoot(root)).to.emit(ring, "AggregateAgreed").withArgs(1n, root, [0b1111n]);
    const [stored, atRound] = await ring.headsRoot();
    expect(stored).to.equal(root);
    expect(atRound).to.equal(1n);
  });

  it("refuses a heads root the members did not sign (a relayer cannot put another)", async function () {
    await expect(flushRoot(headsRoot(pairs), 1n, { signedRoot: headOf("another root") })).to.be.revertedWithCustomError(ring, "InvalidAggregateSignature");
  });

  it("materialises every member's head from a proof against the root, whoever calls", async function () {
    await flushRoot(headsRoot(pairs));
    for (const member of members) {
      const head = pairs[member.address]!;
      await expect(ring.connect(accounts[0]).proveHead(member.address, 1n, head, headProof(pairs, member.address))).to.emit(ring, "LogHeadUpdated").withArgs(member.address, head);
      expect(await ring.logNodeHeads(member.address)).to.equal(head);
    }
  });

  it("refuses a proof of another head with InvalidHeadProof", async function () {
    await flushRoot(headsRoot(pairs));
    const member = members[1]!.address;
    await expect(ring.proveHead(member, 1n, headOf("not its head"), headProof(pairs, member))).to.be.revertedWithCustomError(ring, "InvalidHeadProof").withArgs(member, headOf("not its head"));
  });

  it("refuses a proof of an older round's root with StaleHeadProof, and one for that round against the new root with InvalidHeadProof", async function () {
    await flushRoot(headsRoot(pairs));
    const older = { ...pairs };
    pairs = { ...pairs, [members[2]!.address]: headOf("newer head") };
    await flushRoot(headsRoot(pairs), 2n);
    const member = members[2]!.address;
    await expect(ring.proveHead(member, 1n, older[member]!, headProof(older, member))).to.be.revertedWithCustomError(ring, "StaleHeadProof").withArgs(1n, 2n);
    await expect(ring.proveHead(member, 2n, older[member]!, headProof(older, member))).to.be.revertedWithCustomError(ring, "InvalidHeadProof");
    await ring.proveHead(member, 2n, pairs[member]!, headProof(pairs, member));
    expect(await ring.logNodeHeads(member)).to.equal(headOf("newer head"));
  });

  it("refuses a proof before any aggregate flush with StaleHeadProof", async function () {
    await expect(ring.proveHead(members[0]!.address, 1n, pairs[members[0]!.address]!, [])).to.be.revertedWithCustomError(ring, "StaleHeadProof").withArgs(1n, 0n);
  });

  it("does not take back a head the member set since with updateLogHead (HeadAlreadyCurrent); light clients' updateLogHead still works", async function () {
    await flushRoot(headsRoot(pairs));
    const member = members[0]!.address;
    await ring.connect(accounts[0]).updateLogHead(headOf("set by the member"));
    expect(await ring.logNodeHeads(member)).to.equal(headOf("set by the member"));
    await expect(ring.proveHead(member, 1n, pairs[member]!, headProof(pairs, member))).to.be.revertedWithCustomError(ring, "HeadAlreadyCurrent").withArgs(member, 1n);
    expect(await ring.logNodeHeads(member)).to.equal(headOf("set by the member"));
  });

  it("records a signed dissent with the aggregate flush: the dissenter's dissents count and its head is set", async function () {
    const domain = ringDomain(chainId, await ring.getAddress());
    const otherHead = headOf("what member 3 computed");
    const dissent = await signVote(accounts[3]!, domain, voteMessage(1n, await ring.membershipEpoch(), otherHead, NO_OUTPUTS, headOf("member 3's log")));
    const signed = { ringNodeHead: otherHead, outputsHash: outputsHash(NO_OUTPUTS), logHead: dissent.logHead, r: dissent.r, vs: dissent.vs };
    await expect(flushRoot(headsRoot(pairs), 1n, { indices: [0, 1, 2], dissents: [signed] })).to.emit(ring, "Dissented").withArgs(members[3]!.address, 1n, otherHead, outputsHash(NO_OUTPUTS));
    const [, dissents] = await ring.reputation(members[3]!.address);
    expect(dissents).to.equal(1n);
    expect(await ring.logNodeHeads(members[3]!.address)).to.equal(headOf("member 3's log"));
  });

  it("refuses a dissent by a member the bitmap names as a signer with InvalidDissent", async function () {
    const domain = ringDomain(chainId, await ring.getAddress());
    const dissent = await signVote(accounts[2]!, domain, voteMessage(1n, await ring.membershipEpoch(), headOf("other"), NO_OUTPUTS, headOf("log")));
    const signed = { ringNodeHead: headOf("other"), outputsHash: outputsHash(NO_OUTPUTS), logHead: dissent.logHead, r: dissent.r, vs: dissent.vs };
    await expect(flushRoot(headsRoot(pairs), 1n, { indices: [0, 1, 2], dissents: [signed] })).to.be.revertedWithCustomError(ring, "InvalidDissent").withArgs(members[2]!.address);
  });
});

describe("HeadsMerkle (Solidity) and headsMerkle.ts agree", function () {
  it("on every leaf and every member's proof, for rings of 1 to 9 members and of 256", async function () {
    const { harness } = await blsRing(0);
    for (const size of [1, 2, 3, 4, 5, 7, 8, 9, 256]) {
      const pairs: HeadPairs = Object.fromEntries(blsMembers(size, `merkle-${size}`).map((m, i) => [m.address, i === 1 ? `0x${"00".repeat(32)}` : headOf(`${size}/${i}`)]));
      const root = headsRoot(pairs);
      const checked = size === 256 ? Object.keys(pairs).slice(0, 12) : Object.keys(pairs);
      for (const member of checked) {
        const proof = headProof(pairs, member);
        expect(await harness.headsLeaf(member, pairs[member]!)).to.equal(headLeaf(member, pairs[member]!));
        expect(verifyHead(root, member, pairs[member]!, proof), `TS verifies ${member} of ${size}`).to.equal(true);
        expect(await harness.verifyHead(proof, root, member, pairs[member]!), `Solidity verifies ${member} of ${size}`).to.equal(true);
        expect(await harness.verifyHead(proof, root, member, headOf("other")), `Solidity refuses another head of ${size}`).to.equal(false);
      }
    }
  });
});
