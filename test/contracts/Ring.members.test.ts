import { expect } from "chai";
import type { Signer } from "ethers";
import { ringDomain } from "../../node/src/core/eip712.js";
import { membershipSignatures, previousMember, SENTINEL_MEMBERS, signMembership } from "../../node/src/core/ringVotes.js";
import { digest, flushRound, memberWallets, ringOfAccounts, signForwardRequest, type RingUnderTest } from "./fixtures.js";

describe("Ring members", function () {
  let context: RingUnderTest & { outsider: Signer };
  let addresses: string[];

  beforeEach(async function () {
    context = await ringOfAccounts(4);
    addresses = await Promise.all(context.members.map((member) => member.getAddress()));
  });

  async function membershipVote(signers: Signer[], enter: boolean, member: string, membershipEpoch: bigint, deadline: bigint) {
    const domain = ringDomain(context.chainId, context.ringAddress);
    const signed = await Promise.all(signers.map((signer) => signMembership(signer, domain, { enter, member, membershipEpoch, deadline })));
    return membershipSignatures(signed);
  }

  async function later(seconds: number): Promise<bigint> {
    const block = await context.ethers.provider.getBlock("latest");
    return BigInt((block?.timestamp ?? 0) + seconds);
  }

  it("starts with the factory's members in list order, the engine as owner", async function () {
    expect(await context.ring.members()).to.deep.equal(addresses);
    expect(await context.ring.memberCount()).to.equal(4n);
    expect(await context.ring.owner()).to.equal(await context.owner.getAddress());
    for (const address of addresses) expect(await context.ring.isMember(address)).to.equal(true);
    expect(await context.ring.isMember(await context.outsider.getAddress())).to.equal(false);
    expect(await context.ring.isMember(SENTINEL_MEMBERS)).to.equal(false);
  });

  it("lets the engine admit a member at the head of the list", async function () {
    const newcomer = await context.outsider.getAddress();
    await expect(context.ring.connect(context.owner).enter(newcomer)).to.emit(context.ring, "MemberEntered").withArgs(newcomer);
    expect(await context.ring.members()).to.deep.equal([newcomer, ...addresses]);
    expect(await context.ring.requiredVotes()).to.equal(4n);
  });

  it("refuses entry of the zero address, the sentinel, the ring itself and an existing member", async function () {
    const ring = context.ring.connect(context.owner);
    for (const invalid of [context.ethers.ZeroAddress, SENTINEL_MEMBERS, context.ringAddress]) {
      await expect(ring.enter(invalid)).to.be.revertedWithCustomError(ring, "InvalidMember").withArgs(invalid);
    }
    await expect(ring.enter(addresses[1]!)).to.be.revertedWithCustomError(ring, "MemberAlreadyExists").withArgs(addresses[1]);
  });

  it("refuses a ring whose member list repeats an address", async function () {
    const { factory } = context.deployment;
    const [a, b] = [addresses[0]!, addresses[1]!];
    const owner = await context.owner.getAddress();
    await expect(factory.createRing([a, a], owner)).to.be.revertedWithCustomError(context.ring, "MemberAlreadyExists").withArgs(a);
    await expect(factory.createRing([a, a, b, b], owner)).to.be.revertedWithCustomError(context.ring, "MemberAlreadyExists").withArgs(a);
    await expect(factory.createRing([a, b, a], owner)).to.be.revertedWithCustomError(context.ring, "MemberAlreadyExists").withArgs(a);
  });

  it("refuses entry and exit by anyone but the engine", async function () {
    const ring = context.ring.connect(context.outsider);
    const outsider = await context.outsider.getAddress();
    await expect(ring.enter(outsider)).to.be.revertedWithCustomError(ring, "NotOwner").withArgs(outsider);
    await expect(ring.exit(SENTINEL_MEMBERS, addresses[0]!)).to.be.revertedWithCustomError(ring, "NotOwner").withArgs(outsider);
  });

  it("lets the engine remove a member given its predecessor, keeping its reputation", async function () {
    await flushRound(context, context.members.slice(0, 3), 1n);
    const leaving = addresses[1]!;
    await expect(context.ring.connect(context.owner).exit(previousMember(addresses, leaving), leaving))
      .to.emit(context.ring, "MemberExited")
      .withArgs(leaving);
    expect(await context.ring.members()).to.deep.equal([addresses[0], addresses[2], addresses[3]]);
    expect(await context.ring.isMember(leaving)).to.equal(false);
    expect(await context.ring.reputation(leaving)).to.deep.equal([1n, 0n]);
  });

  it("refuses an exit whose predecessor does not point to the member", async function () {
    await expect(context.ring.connect(context.owner).exit(addresses[2]!, addresses[1]!))
      .to.be.revertedWithCustomError(context.ring, "InvalidPrevMember")
      .withArgs(addresses[2], addresses[1]);
  });

  it("admits a member by a 2/3 vote, which moves the membership epoch on", async function () {
    const newcomer = await context.outsider.getAddress();
    const deadline = await later(3600);
    const signatures = await membershipVote(context.members.slice(0, 3), true, newcomer, 0n, deadline);
    await expect(context.ring.connect(context.relayer).enterByVote(newcomer, 0n, deadline, signatures))
      .to.emit(context.ring, "MembershipVoted")
      .withArgs(true, newcomer, 0n);
    expect(await context.ring.isMember(newcomer)).to.equal(true);
    expect(await context.ring.membershipEpoch()).to.equal(1n);
  });

  it("removes a member by a 2/3 vote", async function () {
    const leaving = addresses[3]!;
    const deadline = await later(3600);
    const signatures = await membershipVote(context.members.slice(0, 3), false, leaving, 0n, deadline);
    await expect(context.ring.exitByVote(previousMember(addresses, leaving), leaving, 0n, deadline, signatures))
      .to.emit(context.ring, "MemberExited")
      .withArgs(leaving);
    expect(await context.ring.memberCount()).to.equal(3n);
  });

  it("refuses a membership vote signed before the change the last vote made", async function () {
    const newcomer = await context.outsider.getAddress();
    const deadline = await later(3600);
    const first = await membershipVote(context.members.slice(0, 3), true, newcomer, 0n, deadline);
    await context.ring.enterByVote(newcomer, 0n, deadline, first);
    const leaving = newcomer;
    const replay = await membershipVote(context.members.slice(0, 3), false, leaving, 0n, deadline);
    await expect(context.ring.exitByVote(SENTINEL_MEMBERS, leaving, 0n, deadline, replay))
      .to.be.revertedWithCustomError(context.ring, "StaleMembershipEpoch")
      .withArgs(0n, 1n);
  });

  it("refuses a membership vote after its deadline", async function () {
    const newcomer = await context.outsider.getAddress();
    const deadline = await later(60);
    const signatures = await membershipVote(context.members.slice(0, 3), true, newcomer, 0n, deadline);
    await context.connection.networkHelpers.time.increaseTo(deadline + 1n);
    await expect(context.ring.enterByVote(newcomer, 0n, deadline, signatures))
      .to.be.revertedWithCustomError(context.ring, "MembershipVoteExpired")
      .withArgs(deadline);
  });

  it("refuses a membership vote short of 2/3", async function () {
    const newcomer = await context.outsider.getAddress();
    const deadline = await later(3600);
    const signatures = await membershipVote(context.members.slice(0, 2), true, newcomer, 0n, deadline);
    await expect(context.ring.enterByVote(newcomer, 0n, deadline, signatures))
      .to.be.revertedWithCustomError(context.ring, "InsufficientVotes")
      .withArgs(2n, 3n);
  });

  it("refuses a membership vote signed by a non-member", async function () {
    const newcomer = memberWallets(1, "newcomer")[0]!.address;
    const deadline = await later(3600);
    const domain = ringDomain(context.chainId, context.ringAddress);
    const signed = await Promise.all(
      [...context.members.slice(0, 2), context.outsider].map((signer) => signMembership(signer, domain, { enter: true, member: newcomer, membershipEpoch: 0n, deadline })),
    );
    await expect(context.ring.enterByVote(newcomer, 0n, deadline, membershipSignatures(signed)))
      .to.be.revertedWithCustomError(context.ring, "NotAMember")
      .withArgs(await context.outsider.getAddress());
  });

  it("lets a member publish its multiaddress and PeerId", async function () {
    const member = context.members[0]!;
    const peerId = "0x0025080212210279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    await expect(context.ring.connect(member).setNodeInfo("/ip4/127.0.0.1/tcp/4001", peerId))
      .to.emit(context.ring, "NodeInfoSet")
      .withArgs(addresses[0], "/ip4/127.0.0.1/tcp/4001", peerId);
    expect(await context.ring.nodeInfo(addresses[0]!)).to.deep.equal(["/ip4/127.0.0.1/tcp/4001", peerId]);
  });

  it("refuses node info and log heads from a non-member", async function () {
    const ring = context.ring.connect(context.outsider);
    const outsider = await context.outsider.getAddress();
    await expect(ring.setNodeInfo("/ip4/127.0.0.1/tcp/1", "0x01")).to.be.revertedWithCustomError(ring, "NotAMember").withArgs(outsider);
    await expect(ring.updateLogHead(digest(context.ethers))).to.be.revertedWithCustomError(ring, "NotAMember").withArgs(outsider);
  });

  it("lets a member update its own log head", async function () {
    const head = digest(context.ethers);
    await expect(context.ring.connect(context.members[2]).updateLogHead(head)).to.emit(context.ring, "LogHeadUpdated").withArgs(addresses[2], head);
    expect(await context.ring.logNodeHeads(addresses[2]!)).to.equal(head);
  });

  it("applies a member's request relayed through the trusted forwarder", async function () {
    const { forwarder } = context.deployment;
    expect(await context.ring.isTrustedForwarder(await forwarder.getAddress())).to.equal(true);
    const head = digest(context.ethers);
    const request = await signForwardRequest(forwarder, context.members[1]!, context.ringAddress, context.ring.interface.encodeFunctionData("updateLogHead", [head]));
    await expect(forwarder.connect(context.relayer).execute(request)).to.emit(context.ring, "LogHeadUpdated").withArgs(addresses[1], head);
    expect(await context.ring.logNodeHeads(addresses[1]!)).to.equal(head);
  });

  it("refuses a forwarder request from a non-member", async function () {
    const { forwarder } = context.deployment;
    const outsider = await context.outsider.getAddress();
    const data = context.ring.interface.encodeFunctionData("updateLogHead", [digest(context.ethers)]);
    const request = await signForwardRequest(forwarder, context.outsider, context.ringAddress, data);
    await expect(forwarder.connect(context.relayer).execute(request)).to.be.revertedWithCustomError(forwarder, "FailedCall");
    expect(await context.ring.logNodeHeads(outsider)).to.equal(context.ethers.ZeroHash);
    // What the ring saw: the forwarder's call with the outsider appended as the sender.
    await expect(
      context.ethers.provider.call({ to: context.ringAddress, from: await forwarder.getAddress(), data: context.ethers.concat([data, outsider]) }),
    ).to.be.revertedWithCustomError(context.ring, "NotAMember").withArgs(outsider);
  });

  it("hands the engine role over", async function () {
    const next = await context.outsider.getAddress();
    await expect(context.ring.connect(context.owner).transferOwnership(next))
      .to.emit(context.ring, "OwnershipTransferred")
      .withArgs(await context.owner.getAddress(), next);
    expect(await context.ring.owner()).to.equal(next);
  });

  it("cannot be initialised twice", async function () {
    await expect(context.ring.initialize(await context.outsider.getAddress(), [], context.ethers.ZeroAddress)).to.be.revertedWithCustomError(
      context.ring,
      "InvalidInitialization",
    );
    await expect(
      context.deployment.ringImplementation.initialize(await context.outsider.getAddress(), [], context.ethers.ZeroAddress),
    ).to.be.revertedWithCustomError(context.ring, "InvalidInitialization");
  });
});
