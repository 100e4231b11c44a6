/**
 * The relayer's decision to flush (rounds/quorum.ts): 2/3 of the members' votes, then a short grace
 * for the reachable members' answers so their dissents go into the same flush. Four members: 3 votes
 * are a quorum.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { describe, it } from "mocha";
import type { SignedDissent, SignedVote } from "../../../../node/src/core/ringVotes.js";
import { DISSENT_GRACE_MS, flushDecision, type QuorumInput } from "../../../../node/src/rounds/quorum.js";

const [a, b, c, d, outsider] = [0, 1, 2, 3, 4].map(() => Wallet.createRandom().address) as [string, string, string, string, string];
const MEMBERS = [a, b, c, d];
const NOW = 1_000_000;

const vote = (signer: string): SignedVote => ({ signer, logHead: `0x${"00".repeat(32)}`, r: "0x", vs: "0x", membershipEpoch: 0n });
const dissent = (signer: string): SignedDissent => ({ ...vote(signer), ringNodeHead: `0x${"01".repeat(32)}`, outputsHash: `0x${"02".repeat(32)}` });

/** a is the relayer; everyone is connected unless `reachable` says otherwise. */
function input(votes: string[], dissents: string[] = [], changes: Partial<QuorumInput> = {}): QuorumInput {
  return {
    members: MEMBERS,
    isMember: (address) => MEMBERS.includes(address),
    membershipEpoch: 0n,
    votes: new Map(votes.map((signer) => [signer, vote(signer)])),
    dissents: new Map(dissents.map((signer) => [signer, dissent(signer)])),
    reachable: () => true,
    now: NOW,
    ...changes,
  };
}

describe("the relayer's decision to flush", function () {
  it("keeps collecting below 2/3 of the members' votes", function () {
    expect(flushDecision(input([a, b], [c, d]))).to.deep.equal({ kind: "collect" });
  });

  it("does not count a non-member's vote towards the quorum", function () {
    expect(flushDecision(input([a, b, outsider]))).to.deep.equal({ kind: "collect" });
  });

  it("flushes at once with 2/3 of the votes when every reachable member answered, with the dissent", function () {
    const decision = flushDecision(input([a, b, c], [d]));
    expect(decision.kind).to.equal("flush");
    if (decision.kind !== "flush") return;
    expect(decision.votes.map((v) => v.signer)).to.deep.equal([a, b, c]);
    expect(decision.dissents.map((v) => v.signer)).to.deep.equal([d]);
    expect(decision.quorumAt).to.equal(NOW);
  });

  it("flushes at once when the only silent member is unreachable", function () {
    const decision = flushDecision(input([a, b, c], [], { reachable: (member) => member !== d }));
    expect(decision.kind).to.equal("flush");
  });

  it("waits the dissent grace when it has a quorum but a reachable member has not answered", function () {
    expect(flushDecision(input([a, b, c]))).to.deep.equal({ kind: "grace", quorumAt: NOW, retryInMs: DISSENT_GRACE_MS });
  });

  it("keeps the time the quorum was first reached while it waits", function () {
    const decision = flushDecision(input([a, b, c], [], { quorumAt: NOW - 500 }));
    expect(decision).to.deep.equal({ kind: "grace", quorumAt: NOW - 500, retryInMs: DISSENT_GRACE_MS });
  });

  it("flushes once the grace is over, without the silent member", function () {
    const decision = flushDecision(input([a, b, c], [], { quorumAt: NOW - DISSENT_GRACE_MS }));
    expect(decision.kind).to.equal("flush");
    if (decision.kind !== "flush") return;
    expect(decision.votes).to.have.length(3);
    expect(decision.dissents).to.deep.equal([]);
  });

  it("leaves out the dissents of non-members", function () {
    const decision = flushDecision(input([a, b, c, d], [outsider]));
    expect(decision.kind).to.equal("flush");
    if (decision.kind !== "flush") return;
    expect(decision.dissents).to.deep.equal([]);
  });

  it("leaves out the dissent of a member who also voted", function () {
    const decision = flushDecision(input([a, b, c], [c, d]));
    expect(decision.kind).to.equal("flush");
    if (decision.kind !== "flush") return;
    expect(decision.dissents.map((v) => v.signer)).to.deep.equal([d]);
  });
});
