import { expect } from "chai";
import { getAddress, Signature, type Wallet } from "ethers";
import { ringDomain } from "../../node/src/core/eip712.js";
import { signLogNode, type EncodedLogNode } from "../../node/src/core/logNode.js";
import { membershipSignatures, previousMember, signMembership } from "../../node/src/core/ringVotes.js";
import { ringOfWallets, type RingUnderTest } from "./fixtures.js";

const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("Ring fork proofs", function () {
  let context: RingUnderTest;
  let forker: Wallet;

  beforeEach(async function () {
    context = await ringOfWallets(4);
    forker = context.members[2] as Wallet;
  });

  /** A log node by `author` at `seq`, signed with the node's own codec. */
  async function logNode(author: Wallet, seq: number, payload: unknown): Promise<EncodedLogNode> {
    const body = { v: 1, ring: getAddress(context.ringAddress), author: getAddress(author.address), seq, prev: [], payload };
    return signLogNode(body, author, ringDomain(context.chainId, context.ringAddress));
  }

  function sig(node: EncodedLogNode): string {
    return context.ethers.hexlify(node.node.sig);
  }

  it("ejects a member that signed two log nodes with the same seq", async function () {
    const a = await logNode(forker, 7, { text: "a" });
    const b = await logNode(forker, 7, { text: "b" });
    await expect(context.ring.connect(context.relayer).proveFork(forker.address, 7n, a.digest, sig(a), b.digest, sig(b)))
      .to.emit(context.ring, "ForkProven")
      .withArgs(forker.address, 7n, a.digest, b.digest)
      .and.to.emit(context.ring, "MemberExited")
      .withArgs(forker.address);
    expect(await context.ring.isMember(forker.address)).to.equal(false);
    expect(await context.ring.memberCount()).to.equal(3n);
  });

  it("refuses a proof whose two digests are equal", async function () {
    const a = await logNode(forker, 7, { text: "a" });
    await expect(context.ring.proveFork(forker.address, 7n, a.digest, sig(a), a.digest, sig(a)))
      .to.be.revertedWithCustomError(context.ring, "ForkProofDigestsEqual")
      .withArgs(a.digest);
  });

  it("refuses a proof with nodes of different seqs", async function () {
    const a = await logNode(forker, 7, { text: "a" });
    const b = await logNode(forker, 8, { text: "b" });
    await expect(context.ring.proveFork(forker.address, 7n, a.digest, sig(a), b.digest, sig(b))).to.be.revertedWithCustomError(
      context.ring,
      "ForkProofWrongSigner",
    );
  });

  it("refuses a proof where one node is signed by someone else", async function () {
    const other = context.members[0] as Wallet;
    const a = await logNode(forker, 7, { text: "a" });
    const b = await logNode(other, 7, { text: "b" });
    await expect(context.ring.proveFork(forker.address, 7n, a.digest, sig(a), b.digest, sig(b)))
      .to.be.revertedWithCustomError(context.ring, "ForkProofWrongSigner")
      .withArgs(other.address, forker.address);
  });

  it("refuses a proof against an account that is not a member", async function () {
    const a = await logNode(forker, 7, { text: "a" });
    const b = await logNode(forker, 7, { text: "b" });
    await context.ring.proveFork(forker.address, 7n, a.digest, sig(a), b.digest, sig(b));
    await expect(context.ring.proveFork(forker.address, 7n, a.digest, sig(a), b.digest, sig(b)))
      .to.be.revertedWithCustomError(context.ring, "NotAMember")
      .withArgs(forker.address);
  });

  /** Proves `forker`'s fork at seq 7 and returns the proof's arguments, for a replay. */
  async function proveForkAtSeven(): Promise<[string, bigint, string, string, string, string]> {
    const a = await logNode(forker, 7, { text: "a" });
    const b = await logNode(forker, 7, { text: "b" });
    const args: [string, bigint, string, string, string, string] = [forker.address, 7n, a.digest, sig(a), b.digest, sig(b)];
    await context.ring.connect(context.relayer).proveFork(...args);
    return args;
  }

  it("moves the membership epoch on when a fork proof ejects the forker", async function () {
    const before = await context.ring.membershipEpoch();
    await proveForkAtSeven();
    expect(await context.ring.membershipEpoch()).to.equal(before + 1n);
  });

  it("refuses the engine's re-admission of a proven forker, so an old proof never ejects again", async function () {
    const proof = await proveForkAtSeven();
    await expect(context.ring.connect(context.owner).enter(forker.address))
      .to.be.revertedWithCustomError(context.ring, "ProvenForker")
      .withArgs(forker.address);
    expect(await context.ring.isProvenForker(forker.address)).to.equal(true);
    await expect(context.ring.proveFork(...proof)).to.be.revertedWithCustomError(context.ring, "NotAMember").withArgs(forker.address);
  });

  it("refuses a proven forker's admission by a members' vote", async function () {
    await proveForkAtSeven();
    const block = await context.ethers.provider.getBlock("latest");
    const deadline = BigInt((block?.timestamp ?? 0) + 3600);
    const epoch = await context.ring.membershipEpoch();
    const voters = [context.members[0]!, context.members[1]!, context.members[3]!];
    const domain = ringDomain(context.chainId, context.ringAddress);
    const signed = await Promise.all(voters.map((voter) => signMembership(voter, domain, { enter: true, member: forker.address, membershipEpoch: epoch, deadline })));
    await expect(context.ring.enterByVote(forker.address, epoch, deadline, membershipSignatures(signed)))
      .to.be.revertedWithCustomError(context.ring, "ProvenForker")
      .withArgs(forker.address);
  });

  it("still re-admits a member that left without a fork proof", async function () {
    const leaving = context.members[1] as Wallet;
    const addresses = await context.ring.members();
    await context.ring.connect(context.owner).exit(previousMember([...addresses], leaving.address), leaving.address);
    await context.ring.connect(context.owner).enter(leaving.address);
    expect(await context.ring.isMember(leaving.address)).to.equal(true);
  });

  it("refuses the malleable (high-s) twin of a log-node signature", async function () {
    const a = await logNode(forker, 7, { text: "a" });
    const b = await logNode(forker, 7, { text: "b" });
    const parsed = Signature.from(sig(b));
    const twinS = SECP256K1_ORDER - BigInt(parsed.s);
    const twin = context.ethers.concat([parsed.r, context.ethers.toBeHex(twinS, 32), parsed.v === 27 ? "0x1c" : "0x1b"]);
    await expect(context.ring.proveFork(forker.address, 7n, a.digest, sig(a), b.digest, twin))
      .to.be.revertedWithCustomError(context.ring, "ECDSAInvalidSignatureS")
      .withArgs(context.ethers.toBeHex(twinS, 32));
  });
});
