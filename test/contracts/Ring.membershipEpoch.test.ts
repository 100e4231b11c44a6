/**
 * Issue 12, finding 4: every change of the member list moves the membership epoch on, and votes
 * (membership votes and round votes) count only under the epoch they were signed in. So a vote
 * signed for one member list never passes on another: not a pending exit vote after the ring shrank,
 * not a round signed before the owner admitted or removed someone.
 */
import { expect } from "chai";
import type { Signer } from "ethers";
import { ringDomain } from "../../node/src/core/eip712.js";
import { flushArgs, membershipSignatures, NO_OUTPUTS, previousMember, signMembership } from "../../node/src/core/ringVotes.js";
import { digest, memberWallets, ringOfWallets, signRound, type RingUnderTest } from "./fixtures.js";

describe("Ring membership epoch", function () {
  let context: RingUnderTest;
  let addresses: string[];

  beforeEach(async function () {
    context = await ringOfWallets(4);
    addresses = await Promise.all(context.members.map((member) => member.getAddress()));
  });

  function membersAt(...indexes: number[]): Signer[] {
    return indexes.map((i) => context.members[i] as Signer);
  }

  async function membershipVote(signers: Signer[], enter: boolean, member: string, membershipEpoch: bigint) {
    const block = await context.ethers.provider.getBlock("latest");
    const deadline = BigInt((block?.timestamp ?? 0) + 3600);
    const domain = ringDomain(context.chainId, context.ringAddress);
    const signed = await Promise.all(signers.map((signer) => signMembership(signer, domain, { enter, member, membershipEpoch, deadline })));
    return { deadline, signatures: membershipSignatures(signed) };
  }

  /** The engine removes member `index` (the ring shrinks by one). */
  async function ownerExit(index: number): Promise<void> {
    const members = [...(await context.ring.members())];
    await context.ring.connect(context.owner).exit(previousMember(members, addresses[index]!), addresses[index]!);
  }

  it("moves the epoch on by one with each of the engine's entries and exits", async function () {
    expect(await context.ring.membershipEpoch()).to.equal(0n);
    await context.ring.connect(context.owner).enter(memberWallets(1, "newcomer")[0]!.address);
    expect(await context.ring.membershipEpoch()).to.equal(1n);
    await ownerExit(3);
    expect(await context.ring.membershipEpoch()).to.equal(2n);
  });

  it("refuses a pending 2-of-4 exit vote after the engine's exit of another member shrank the ring", async function () {
    const leaving = addresses[3]!;
    const { deadline, signatures } = await membershipVote(membersAt(0, 1), false, leaving, 0n);
    await ownerExit(2); // 3 members now: 2 signatures would be a 2/3 majority
    const members = [...(await context.ring.members())];
    await expect(context.ring.exitByVote(previousMember(members, leaving), leaving, 0n, deadline, signatures))
      .to.be.revertedWithCustomError(context.ring, "StaleMembershipEpoch")
      .withArgs(0n, 1n);
  });

  it("refuses a pending entry vote after the engine admitted someone else", async function () {
    const [newcomer, other] = memberWallets(2, "newcomer").map((wallet) => wallet.address) as [string, string];
    const { deadline, signatures } = await membershipVote(membersAt(0, 1, 2), true, newcomer, 0n);
    await context.ring.connect(context.owner).enter(other);
    await expect(context.ring.enterByVote(newcomer, 0n, deadline, signatures))
      .to.be.revertedWithCustomError(context.ring, "StaleMembershipEpoch")
      .withArgs(0n, 1n);
  });

  it("passes a membership vote signed under the epoch after the engine's change", async function () {
    await ownerExit(2);
    const leaving = addresses[3]!;
    const { deadline, signatures } = await membershipVote(membersAt(0, 1), false, leaving, 1n);
    const members = [...(await context.ring.members())];
    await expect(context.ring.exitByVote(previousMember(members, leaving), leaving, 1n, deadline, signatures))
      .to.emit(context.ring, "MembershipVoted")
      .withArgs(false, leaving, 1n);
    expect(await context.ring.isMember(leaving)).to.equal(false);
    expect(await context.ring.membershipEpoch()).to.equal(2n);
  });

  it("refuses a round signed before the engine's membership change", async function () {
    const ringNodeHead = digest(context.ethers);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead, NO_OUTPUTS, 0n);
    await ownerExit(3); // the three signers are still members, and 3 of 3 would be a majority
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes }))).to.revert(context.ethers);
    expect(await context.ring.round()).to.equal(0n);
  });

  it("lands the same round once re-signed under the new epoch", async function () {
    const ringNodeHead = digest(context.ethers);
    await ownerExit(3);
    const votes = await signRound(context, membersAt(0, 1, 2), 1n, ringNodeHead, NO_OUTPUTS, 1n);
    await expect(context.ring.flush(...flushArgs({ round: 1n, ringNodeHead, outputs: NO_OUTPUTS, votes })))
      .to.emit(context.ring, "Flushed");
    expect(await context.ring.ringNodeHead()).to.equal(ringNodeHead);
  });
});
