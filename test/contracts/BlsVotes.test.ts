/**
 * Issue 15, contract side: BLS12-381 aggregate votes on EIP-2537. Members register G1 keys with a
 * proof of possession; a flush carries one G2 aggregate signature over the round's AggregateVote
 * digest and a signer bitmap, and passes with one pairing check iff 2/3 of the members signed.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { BLS_SIGNATURE_DST, blsCurve, g2Words } from "../../node/src/core/bls.js";
import { absentKeys, aggregateVote, blsMembers, blsRing, g2OutsideSubgroup, range, roundDigest, type BlsRingUnderTest } from "./blsFixtures.js";

const HEAD = keccak256(toUtf8Bytes("ring node head"));
const OUTPUTS = keccak256(toUtf8Bytes("outputs"));
const ROUND_1 = { round: 1n, ringNodeHead: HEAD, outputsHash: OUTPUTS };

async function flushBy(context: BlsRingUnderTest, indices: number[], round = 1n) {
  const digest = await roundDigest(context, { round, ringNodeHead: HEAD, outputsHash: OUTPUTS });
  const { signature, bitmap, nonSigners } = aggregateVote(context.members, indices, digest);
  return context.harness.flush(round, HEAD, OUTPUTS, bitmap, nonSigners, signature);
}

describe("BLS aggregate votes", function () {
  describe("a flush with a valid aggregate of every member passes", function () {
    for (const size of [1, 4, 7, 64]) {
      it(`at ${size} member${size === 1 ? "" : "s"}`, async function () {
        const context = await blsRing(size);
        const receipt = await (await flushBy(context, range(size))).wait();
        expect(await context.harness.round()).to.equal(1n);
        console.log(`      gas of a BLS flush, ${size} of ${size} signing: ${receipt!.gasUsed}`);
      });
    }
  });

  describe("at 256 members (one ring, set up once)", function () {
    let context: BlsRingUnderTest;
    before(async function () {
      context = await blsRing(256);
    });

    it("passes with every member signing", async function () {
      const receipt = await (await flushBy(context, range(256), 1n)).wait();
      console.log(`      gas of a BLS flush, 256 of 256 signing: ${receipt!.gasUsed}`);
      expect(await context.harness.round()).to.equal(1n);
    });

    it("passes with exactly the 2/3 quorum (171 signers, 85 keys subtracted)", async function () {
      const receipt = await (await flushBy(context, range(171), 2n)).wait();
      console.log(`      gas of a BLS flush, 171 of 256 signing: ${receipt!.gasUsed}`);
      expect(await context.harness.round()).to.equal(2n);
    });

    it("refuses 170 of 256 signers", async function () {
      await expect(flushBy(context, range(170), 3n))
        .to.be.revertedWithCustomError(context.harness, "InsufficientSigners")
        .withArgs(170n, 171n);
    });
  });

  describe("with 7 members", function () {
    let context: BlsRingUnderTest;
    beforeEach(async function () {
      context = await blsRing(7);
    });

    it("passes with 5 of 7 signing, any 5", async function () {
      await flushBy(context, [0, 2, 3, 5, 6]);
      expect(await context.harness.round()).to.equal(1n);
    });

    it("refuses 4 of 7 signers: below the quorum", async function () {
      await expect(flushBy(context, [0, 1, 2, 3]))
        .to.be.revertedWithCustomError(context.harness, "InsufficientSigners")
        .withArgs(4n, 5n);
    });

    it("refuses a bitmap that names a member who did not sign", async function () {
      const digest = await roundDigest(context, ROUND_1);
      const { signature } = aggregateVote(context.members, [0, 1, 2, 3, 4], digest);
      const { bitmap, nonSigners } = aggregateVote(context.members, [0, 1, 2, 3, 5], digest);
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, bitmap, nonSigners, signature))
        .to.be.revertedWithCustomError(context.harness, "InvalidAggregateSignature");
    });

    it("refuses a non-signer key that is not the one registered at its index", async function () {
      const digest = await roundDigest(context, ROUND_1);
      const { signature, bitmap } = aggregateVote(context.members, [0, 1, 2, 3, 4], digest);
      const swapped = absentKeys(context.members, [0, 1, 2, 3, 4]).reverse();
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, bitmap, swapped, signature))
        .to.be.revertedWithCustomError(context.harness, "NonSignerKeyMismatch")
        .withArgs(5n);
    });

    it("refuses fewer or more non-signer keys than the bitmap leaves out", async function () {
      const digest = await roundDigest(context, ROUND_1);
      const { signature, bitmap, nonSigners } = aggregateVote(context.members, [0, 1, 2, 3, 4], digest);
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, bitmap, nonSigners.slice(0, 1), signature))
        .to.be.revertedWithCustomError(context.harness, "NonSignerKeysLengthMismatch")
        .withArgs(1n);
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, bitmap, [...nonSigners, nonSigners[0]!], signature))
        .to.be.revertedWithCustomError(context.harness, "NonSignerKeysLengthMismatch")
        .withArgs(3n);
    });

    it("refuses a bitmap with a bit above the registered keys", async function () {
      const digest = await roundDigest(context, ROUND_1);
      const { signature, bitmap } = aggregateVote(context.members, range(7), digest);
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, [bitmap[0]! | (1n << 9n)], [], signature))
        .to.be.revertedWithCustomError(context.harness, "SignerNotRegistered")
        .withArgs(9n);
    });

    it("refuses a bitmap of the wrong length", async function () {
      const digest = await roundDigest(context, ROUND_1);
      const { signature, bitmap } = aggregateVote(context.members, range(7), digest);
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, [...bitmap, 0n], [], signature))
        .to.be.revertedWithCustomError(context.harness, "SignerBitmapLengthMismatch")
        .withArgs(2n, 1n);
    });

    it("refuses an aggregate with a non-member's signature in it", async function () {
      const [outsider] = blsMembers(1, "outsider");
      const digest = await roundDigest(context, ROUND_1);
      const signers = [...context.members.slice(0, 4), outsider!];
      const { signature } = aggregateVote(signers, range(5), digest);
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, [0b11111n], absentKeys(context.members, range(5)), signature))
        .to.be.revertedWithCustomError(context.harness, "InvalidAggregateSignature");
    });

    for (const [name, vote, domain] of [
      ["another round", { round: 2n }, {}],
      ["another membership epoch", { membershipEpoch: 0n }, {}],
      ["another ring", {}, { ring: "0x000000000000000000000000000000000000dEaD" }],
      ["another chain", {}, { chainId: 1n }],
    ] as const) {
      it(`refuses a signature over ${name}`, async function () {
        const digest = await roundDigest(context, { ...ROUND_1, ...vote }, domain);
        const { signature, bitmap } = aggregateVote(context.members, range(7), digest);
        await expect(context.harness.flush(1n, HEAD, OUTPUTS, bitmap, [], signature))
          .to.be.revertedWithCustomError(context.harness, "InvalidAggregateSignature");
      });
    }

    it("refuses a signature at infinity", async function () {
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, [127n], [], Array.from({ length: 8 }, () => 0n)))
        .to.be.revertedWithCustomError(context.harness, "SignatureAtInfinity");
    });

    it("refuses a signature off the twist", async function () {
      const digest = await roundDigest(context, ROUND_1);
      const { signature, bitmap } = aggregateVote(context.members, range(7), digest);
      signature[7] = signature[7] + 1n;
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, bitmap, [], signature))
        .to.be.revertedWithCustomError(context.harness, "SignatureNotOnCurve");
    });

    it("refuses a signature on the twist but outside the subgroup", async function () {
      await expect(context.harness.flush(1n, HEAD, OUTPUTS, [127n], [], g2OutsideSubgroup()))
        .to.be.revertedWithCustomError(context.harness, "SignatureNotInSubgroup");
    });

    it("passes again after a member exits: its key leaves the aggregate and the last key takes its index", async function () {
      await context.harness.exit(context.members[2]!.address);
      const members = [...context.members];
      members[2] = members[6]!;
      members.pop();
      expect(await context.harness.blsKeyHolder(2n)).to.equal(members[2]?.address);
      const digest = await roundDigest(context, ROUND_1);
      const { signature, bitmap } = aggregateVote(members, range(6), digest);
      await context.harness.flush(1n, HEAD, OUTPUTS, bitmap, [], signature);
      expect(await context.harness.round()).to.equal(1n);
    });
  });

  it("hashes to G2 as RFC 9380 does (noble-curves' hash_to_curve)", async function () {
    const context = await blsRing(0);
    for (const message of ["", "abc", "a".repeat(200)]) {
      const bytes = toUtf8Bytes(message);
      expect(await context.harness.hashToG2(bytes, toUtf8Bytes(BLS_SIGNATURE_DST)))
        .to.deep.equal(g2Words(blsCurve.longSignatures.hash(bytes, BLS_SIGNATURE_DST)));
    }
  });
});
