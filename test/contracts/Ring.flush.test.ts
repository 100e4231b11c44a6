import { expect } from "chai";
import { network } from "hardhat";
import { Signature, type Signer } from "ethers";
import { privateKeyToAccount } from "viem/accounts";
import { outputsHash, ringDomain, VOTE_TYPES, voteDigest } from "../../node/src/core/eip712.js";
import { flushArgs, NO_OUTPUTS, orderBySigner, requiredVotes, signDissent, toCompact, type SignedVote } from "../../node/src/core/ringVotes.js";
import { createRing, deployRings, digest, flushRound, memberWallets, ringOfWallets, signRound, type RingUnderTest } from "./fixtures.js";

/** secp256k1 group order n; signatures with s > n / 2 are the malleable twins of valid ones. */
const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_ORDER = SECP256K1_ORDER / 2n;

describe("Ring.flush", function () {
  let context: RingUnderTest;

  beforeEach(async function () {
    context = await ringOfWallets(4);
  });

  function membersAt(...indexes: number[]): Signer[] {
    return indexes.map((i) => context.members[i] as Signer);
  }

  it("records the round, the ring head and every signer's log head and agreement", async function () {
    const { ring, ethers } = context;
    const { receipt, ringNodeHead, votes } = await flushRound(context, membersAt(0, 1, 2), 1n);
    expect(await ring.round()).to.equal(1n);
    expect(await ring.ringNodeHead()).to.equal(ringNodeHead);
    expect(await ring.ringLog(1n)).to.equal(ringNodeHead);
    for (const vote of votes) {
      expect(await ring.logNodeHeads(vote.signer)).to.equal(vote.logHead);
      expect(await ring.reputation(vote.signer)).to.deep.equal([1n, 0n]);
    }
    const absent = await (context.members[3] as Signer).getAddress();
    expect(await ring.reputation(absent)).to.deep.equal([0n, 0n]);
    expect(await ring.logNodeHeads(absent)).to.equal(ethers.ZeroHash);
    const names = receipt?.logs.map((log) => ring.interface.parseLog(log)?.name);
    expect(names).to.include.members(["Flushed", "Agreed", "LogHeadUpdated"]);
  });

  it("verifyVotes recovers the same ascending signers the flush counts", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2, 3), 1n, ringNodeHead);
    const [, , , ordered] = flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes });
    const signers = await context.ring.verifyVotes(1n, 0n, ringNodeHead, outputsHash(NO_OUTPUTS), ordered);
    expect(signers).to.deep.equal(orderBySigner(votes).map((vote) => vote.signer));
  });

  it("rejects a signer that is not a member", async function () {
    const outsider = memberWallets(1, "outsider")[0] as Signer;
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, [...membersAt(0, 1, 2), outsider], 1n, ringNodeHead);
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes })))
      .to.be.revertedWithCustomError(context.ring, "NotAMember")
      .withArgs(await outsider.getAddress());
  });

  it("rejects a duplicate signer", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const [round, head, outputs, ordered] = flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes });
    const duplicated = [ordered[0], ordered[0], ordered[1], ordered[2]].map((vote) => ({ ...vote! }));
    await expect(context.ring.flush(round, head, outputs, duplicated, []))
      .to.be.revertedWithCustomError(context.ring, "DuplicateSigner")
      .withArgs(orderBySigner(votes)[0]?.signer);
  });

  it("rejects signers out of ascending order", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const [round, head, outputs, ordered] = flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes });
    const descending = [...ordered].reverse();
    await expect(context.ring.flush(round, head, outputs, descending, []))
      .to.be.revertedWithCustomError(context.ring, "SignersNotAscending")
      .withArgs(orderBySigner(votes)[1]?.signer);
  });

  it("rejects a round that is not after the last flushed round", async function () {
    await flushRound(context, membersAt(0, 1, 2), 5n);
    for (const stale of [5n, 4n]) {
      const ringNodeHead = digest(context.ethers);
      const votes = await signRound(context, membersAt(0, 1, 2), stale, ringNodeHead);
      await expect(context.ring.flush(...flushArgs({ round: stale, ringNodeHead, outputs: NO_OUTPUTS, votes })))
        .to.be.revertedWithCustomError(context.ring, "StaleRound")
        .withArgs(stale, 5n);
    }
  });

  it("refuses a zero ring head", async function () {
    const ringNodeHead = context.ethers.ZeroHash;
    const votes = await signRound(context, membersAt(0, 1, 2), 100n, ringNodeHead);
    await expect(context.ring.flush(...flushArgs({ round: 100n, ringNodeHead, outputs: NO_OUTPUTS, votes })))
      .to.be.revertedWithCustomError(context.ring, "EmptyRingNodeHead");
    expect(await context.ring.round()).to.equal(0n);
  });

  it("accepts rounds that skip numbers", async function () {
    await flushRound(context, membersAt(0, 1, 2), 1n);
    await flushRound(context, membersAt(0, 1, 2), 7n);
    expect(await context.ring.round()).to.equal(7n);
  });

  it("rejects a vote whose s lies in the upper half of the curve order (malleable)", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const ordered = orderBySigner(votes);
    // A compact vs holds s below 2^255; upper-half values n/2 < s < 2^255 are representable and must be refused.
    const parity = BigInt(ordered[1]!.vs) >> 255n;
    const highS = context.ethers.toBeHex((parity << 255n) | (HALF_ORDER + 1n), 32);
    const tampered = ordered.map((vote, i) => (i === 1 ? { ...vote, vs: highS } : vote));
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes: tampered })))
      .to.be.revertedWithCustomError(context.ring, "MalleableSignature")
      .withArgs(1n);
  });

  it("rejects a signature that recovers to no address", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const ordered = orderBySigner(votes);
    const broken = ordered.map((vote, i) => (i === 0 ? { ...vote, r: context.ethers.ZeroHash } : vote));
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes: broken })))
      .to.be.revertedWithCustomError(context.ring, "InvalidSignature")
      .withArgs(0n);
  });

  it("rejects votes signed over other outputs than the ones flushed", async function () {
    const ringNodeHead = digest(context.ethers);
    const gate = await context.deployment.gate.getAddress();
    const signed = { gate, pins: [1n], cids: [digest(context.ethers)] };
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead, signed);
    const swapped = { gate, pins: [1n], cids: [digest(context.ethers)] };
    const args = flushArgs({ round: 1n, ringNodeHead, outputs: swapped, votes });
    // The recovered addresses are unrelated keys: ordered or not, none is a member.
    await expect(context.ring.flush(...args)).to.revert(context.ethers);
    const recovered = orderBySigner(args[3].map((vote) => ({ ...vote, signer: recoverUnder(context, 1n, ringNodeHead, outputsHash(swapped), vote) })));
    await expect(context.ring.flush(args[0], args[1], args[2], recovered.map(({ logHead, r, vs }) => ({ logHead, r, vs })), []))
      .to.be.revertedWithCustomError(context.ring, "NotAMember")
      .withArgs(recovered[0]?.signer);
  });

  it("rejects a vote replayed on another ring of the same members", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const addresses = await Promise.all(context.members.map((m) => m.getAddress()));
    const twin = await createRing(context.ethers, context.deployment.factory, addresses, await context.owner.getAddress());
    const twinContext = { ...context, ring: twin, ringAddress: await twin.getAddress() };
    const replayed = orderBySigner(
      votes.map((vote) => ({ ...vote, signer: recoverUnder(twinContext, 1n, ringNodeHead, outputsHash(NO_OUTPUTS), vote) })),
    );
    await expect(twin.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes: replayed })))
      .to.be.revertedWithCustomError(twin, "NotAMember")
      .withArgs(replayed[0]?.signer);
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes }))).not.to.revert(context.ethers);
  });

  it("rejects a vote replayed on another chain id at the same ring address", async function () {
    const otherChain = await network.create({ override: { chainId: 4242 } });
    const replica = await ringOfWallets(4, otherChain);
    expect(replica.ringAddress).to.equal(context.ringAddress);
    expect(replica.chainId).to.equal(4242n);
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const replayed = orderBySigner(
      votes.map((vote) => ({ ...vote, signer: recoverUnder(replica, 1n, ringNodeHead, outputsHash(NO_OUTPUTS), vote) })),
    );
    await expect(replica.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes: replayed })))
      .to.be.revertedWithCustomError(replica.ring, "NotAMember")
      .withArgs(replayed[0]?.signer);
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes }))).not.to.revert(context.ethers);
  });

  it("passes with a flush signed by viem", async function () {
    const keys = context.members.slice(0, 3).map((member) => privateKeyToAccount((member as unknown as { privateKey: `0x${string}` }).privateKey));
    const ringNodeHead = digest(context.ethers) as `0x${string}`;
    const hash = outputsHash(NO_OUTPUTS) as `0x${string}`;
    const votes: SignedVote[] = await Promise.all(
      keys.map(async (account) => {
        const logHead = digest(context.ethers) as `0x${string}`;
        const signature = await account.signTypedData({
          domain: { name: "Rings", version: "1", chainId: Number(context.chainId), verifyingContract: context.ringAddress as `0x${string}` },
          types: { Vote: VOTE_TYPES.Vote!.map((field) => ({ name: field.name, type: field.type })) },
          primaryType: "Vote",
          message: { round: 1n, membershipEpoch: 0n, ringNodeHead, outputsHash: hash, logHead },
        });
        return { signer: account.address, logHead, membershipEpoch: 0n, ...toCompact(signature) };
      }),
    );
    await expect(context.ring.connect(context.relayer).flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes })))
      .to.emit(context.ring, "Flushed")
      .withArgs(1n, ringNodeHead, hash, await context.relayer.getAddress());
  });

  it("declares the outputs in the Scope and emits them on the Gate's pins", async function () {
    const { gate, scope } = context.deployment;
    await gate.connect(context.owner).setAuthorized(context.ringAddress, true);
    const cids = [digest(context.ethers), digest(context.ethers)];
    const outputs = { gate: await gate.getAddress(), pins: [7n, 8n], cids };
    const { receipt } = await flushRound(context, membersAt(0, 1, 2), 1n, outputs);
    expect(receipt?.status).to.equal(1);
    expect(await scope.isDeclaredBy(BigInt(cids[0]!), context.ringAddress)).to.equal(true);
    expect(await gate.latest(context.ringAddress, 7n)).to.deep.equal([BigInt(cids[0]!), 1n]);
    expect(await gate.latest(context.ringAddress, 8n)).to.deep.equal([BigInt(cids[1]!), 1n]);
  });

  it("records the ring as declarer of its outputs even when a front-runner declared them first", async function () {
    const { gate, scope } = context.deployment;
    await gate.connect(context.owner).setAuthorized(context.ringAddress, true);
    const cids = [digest(context.ethers)];
    const frontRunner = await context.owner.getAddress();
    await scope.connect(context.owner).declareData(cids);
    await flushRound(context, membersAt(0, 1, 2), 1n, { gate: await gate.getAddress(), pins: [7n], cids });
    expect(await scope.isDeclaredBy(BigInt(cids[0]!), context.ringAddress)).to.equal(true);
    expect(await scope.isDeclaredBy(BigInt(cids[0]!), frontRunner)).to.equal(true);
  });

  it("rejects outputs on a gate that has not authorised the ring", async function () {
    const outputs = { gate: await context.deployment.gate.getAddress(), pins: [1n], cids: [digest(context.ethers)] };
    await expect(flushRound(context, membersAt(0, 1, 2), 1n, outputs))
      .to.be.revertedWithCustomError(context.deployment.gate, "RingNotAuthorized")
      .withArgs(context.ringAddress);
  });

  it("rejects outputs whose pins and cids differ in length", async function () {
    const outputs = { gate: await context.deployment.gate.getAddress(), pins: [1n, 2n], cids: [digest(context.ethers)] };
    await expect(flushRound(context, membersAt(0, 1, 2), 1n, outputs))
      .to.be.revertedWithCustomError(context.ring, "OutputsLengthMismatch")
      .withArgs(2n, 1n);
  });

  it("records a dissent against an outvoted member", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const domain = ringDomain(context.chainId, context.ringAddress);
    const dissenter = context.members[3] as Signer;
    const dissent = await signDissent(dissenter, domain, { round: 1n, membershipEpoch: 0n, ringNodeHead: digest(context.ethers), outputsHash: outputsHash(NO_OUTPUTS), logHead: digest(context.ethers) });
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes, dissents: [dissent] })))
      .to.emit(context.ring, "Dissented")
      .withArgs(dissent.signer, 1n, dissent.ringNodeHead, dissent.outputsHash);
    expect(await context.ring.reputation(dissent.signer)).to.deep.equal([0n, 1n]);
    expect(await context.ring.logNodeHeads(dissent.signer)).to.equal(dissent.logHead);
  });

  it("lands a round whose relayer left a dissent out: the majority does not sign the dissents (documented)", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const domain = ringDomain(context.chainId, context.ringAddress);
    const dissenter = context.members[3] as Signer;
    const dissent = await signDissent(dissenter, domain, { round: 1n, membershipEpoch: 0n, ringNodeHead: digest(context.ethers), outputsHash: outputsHash(NO_OUTPUTS), logHead: digest(context.ethers) });
    await context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes }));
    expect(await context.ring.reputation(dissent.signer)).to.deep.equal([0n, 0n]);
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes, dissents: [dissent] })))
      .to.be.revertedWithCustomError(context.ring, "StaleRound");
  });

  it("rejects a dissent by a member who also voted with the majority", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const domain = ringDomain(context.chainId, context.ringAddress);
    const dissent = await signDissent(context.members[0] as Signer, domain, { round: 1n, membershipEpoch: 0n, ringNodeHead: digest(context.ethers), outputsHash: outputsHash(NO_OUTPUTS), logHead: digest(context.ethers) });
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes, dissents: [dissent] })))
      .to.be.revertedWithCustomError(context.ring, "InvalidDissent")
      .withArgs(dissent.signer);
  });

  it("rejects a dissent that signs the majority's own ring head and outputs", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead);
    const domain = ringDomain(context.chainId, context.ringAddress);
    const dissent = await signDissent(context.members[3] as Signer, domain, { round: 1n, membershipEpoch: 0n, ringNodeHead, outputsHash: outputsHash(NO_OUTPUTS), logHead: digest(context.ethers) });
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes, dissents: [dissent] })))
      .to.be.revertedWithCustomError(context.ring, "InvalidDissent")
      .withArgs(dissent.signer);
  });
});

describe("Ring majority", function () {
  it("needs exactly 1,2,2,3,4,4,5,6,6,7 signers for rings of 1..10 members", async function () {
    const connection = await network.create();
    const { ethers } = connection;
    const [owner, relayer] = await ethers.getSigners();
    const deployment = await deployRings(connection);
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const wallets = memberWallets(10);
    const table: number[] = [];
    for (let n = 1; n <= 10; n++) {
      const members = wallets.slice(0, n);
      const ring = await createRing(ethers, deployment.factory, await Promise.all(members.map((m) => m.getAddress())), await owner!.getAddress());
      const context = { ethers, chainId, ring, ringAddress: await ring.getAddress() };
      const required = Number(await ring.requiredVotes());
      table.push(required);
      expect(required).to.equal(requiredVotes(n));

      const ringNodeHead = digest(ethers);
      const tooFew = await signRound(context, members.slice(0, required - 1), 1n, ringNodeHead);
      await expect(ring.connect(relayer).flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes: tooFew })))
        .to.be.revertedWithCustomError(ring, "InsufficientVotes")
        .withArgs(BigInt(required - 1), BigInt(required));
      const enough = await signRound(context, members.slice(0, required), 1n, ringNodeHead);
      await expect(ring.connect(relayer).flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes: enough }))).not.to.revert(ethers);
    }
    expect(table).to.deep.equal([1, 2, 2, 3, 4, 4, 5, 6, 6, 7]);
  });
});

/** The address a vote recovers to under another ring's domain (what a replay would count). */
function recoverUnder(
  target: Pick<RingUnderTest, "chainId" | "ringAddress" | "ethers">,
  round: bigint,
  ringNodeHead: string,
  hash: string,
  vote: { logHead: string; r: string; vs: string },
): string {
  const domainHash = voteDigest(ringDomain(target.chainId, target.ringAddress), { round, membershipEpoch: 0n, ringNodeHead, outputsHash: hash, logHead: vote.logHead });
  return target.ethers.recoverAddress(domainHash, Signature.from({ r: vote.r, yParityAndS: vote.vs }));
}
