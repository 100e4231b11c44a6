/**
 * Votes count only under the Ring's membership epoch they were signed in (issue 12, finding 4), so
 * the node's round logic keeps to one epoch: a member signs only for the epoch its own chain view
 * holds, the relayer keeps an answer only if it verifies under the epoch it asked with, and the
 * quorum counts only votes of the current epoch. Pure logic: the voter's components are fakes that
 * fail the test when a refused request would touch them.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { describe, it } from "mocha";
import { pino } from "pino";
import { ringDomain } from "../../../../node/src/core/eip712.js";
import { NO_OUTPUTS, signDissent, signVote, voteMessage, type SignedVote } from "../../../../node/src/core/ringVotes.js";
import { PROPOSAL_ENTRY, type ProposalEntry } from "../../../../node/src/rounds/entries.js";
import { flushDecision } from "../../../../node/src/rounds/quorum.js";
import { keptAnswer } from "../../../../node/src/rounds/voteCollection.js";
import { Voter, type VoterComponents, type VoterOptions } from "../../../../node/src/rounds/voter.js";

const RING = Wallet.createRandom().address;
const DOMAIN = ringDomain(31337n, RING);
const PREV_HEAD = `0x${"ab".repeat(32)}`;
const RING_HEAD = `0x${"22".repeat(32)}`;
const LOG_HEAD = `0x${"33".repeat(32)}`;
const [a, b, c, d] = [0, 1, 2, 3].map(() => new Wallet(Wallet.createRandom().privateKey)) as [Wallet, Wallet, Wallet, Wallet];
const MEMBERS = [a, b, c, d].map((wallet) => wallet.address);

const PROPOSAL: ProposalEntry = { type: PROPOSAL_ENTRY, round: 5, prevHead: PREV_HEAD, cut: [], jobs: [], gate: RING, ringNodeHead: RING_HEAD };

/** Throws if called: a refused request must not get this far. */
function untouched(what: string): never {
  throw new Error(`${what} was used for a refused request`);
}

/** Member `b`'s voter, whose chain view is at `epoch` (a poll does not move it). */
function voterAt(epoch: bigint): { voter: Voter; polls: () => number } {
  let polls = 0;
  const components: VoterComponents = {
    chain: {
      ring: RING,
      domain: DOMAIN,
      isMember: (address) => MEMBERS.includes(address),
      round: () => 4n,
      ringNodeHead: () => PREV_HEAD,
      membershipEpoch: () => epoch,
      poll: () => {
        polls += 1;
        return Promise.resolve();
      },
    },
    logs: { holds: () => untouched("logs"), onKept: () => untouched("logs") },
    ownLog: { head: () => untouched("own log") },
    blocks: { putBytes: () => untouched("blocks") },
    replicator: { want: () => untouched("replicator") },
    signer: { address: b.address, wallet: b },
  };
  const options = {
    book: { scan: () => untouched("job book") },
    gate: RING,
    voteWaitMs: 10,
    isFinalised: () => false,
    logger: pino({ level: "silent" }),
  } as unknown as VoterOptions;
  return { voter: new Voter(components, options), polls: () => polls };
}

function votesAt(epoch: bigint, signers: readonly Wallet[]): Promise<SignedVote[]> {
  return Promise.all(signers.map((signer) => signVote(signer, DOMAIN, voteMessage(5n, epoch, RING_HEAD, NO_OUTPUTS, LOG_HEAD))));
}

describe("votes of one membership epoch", function () {
  it("a voter refuses a request whose membership epoch is not its chain view's, after polling the chain once", async function () {
    const { voter, polls } = voterAt(3n);
    const answer = await voter.answer(a.address, { proposal: PROPOSAL, membershipEpoch: 2n }, AbortSignal.timeout(1_000));
    expect(answer).to.deep.equal({ kind: "refuse", reason: "membership epoch 2 is not the ring's 3" });
    expect(polls()).to.equal(1);
  });

  it("the quorum does not count votes signed under another membership epoch", async function () {
    const stale = await votesAt(0n, [a, b, c]);
    const decision = flushDecision({
      members: MEMBERS,
      isMember: (address) => MEMBERS.includes(address),
      membershipEpoch: 1n,
      votes: new Map(stale.map((vote) => [vote.signer, vote])),
      dissents: new Map(),
      reachable: () => true,
      now: 0,
    });
    expect(decision).to.deep.equal({ kind: "collect" });
  });

  it("the quorum leaves out a dissent signed under another membership epoch", async function () {
    const votes = await votesAt(1n, [a, b, c]);
    const stale = await signDissent(d, DOMAIN, { round: 5n, membershipEpoch: 0n, ringNodeHead: `0x${"44".repeat(32)}`, outputsHash: `0x${"55".repeat(32)}`, logHead: LOG_HEAD });
    const decision = flushDecision({
      members: MEMBERS,
      isMember: (address) => MEMBERS.includes(address),
      membershipEpoch: 1n,
      votes: new Map(votes.map((vote) => [vote.signer, vote])),
      dissents: new Map([[d.address, stale]]),
      reachable: () => true,
      now: 0,
    });
    expect(decision.kind).to.equal("flush");
    expect(decision.kind === "flush" ? decision.dissents : null).to.deep.equal([]);
  });

  it("the relayer keeps a member's vote only if it verifies under the epoch it asked with", async function () {
    const [vote] = (await votesAt(0n, [b])) as [SignedVote];
    const asked = { domain: DOMAIN, round: 5n, ringNodeHead: RING_HEAD, headsRoot: RING_HEAD, outputs: NO_OUTPUTS };
    expect(keptAnswer({ ...asked, membershipEpoch: 1n }, b.address, { kind: "vote", vote })).to.equal(null);
    expect(keptAnswer({ ...asked, membershipEpoch: 0n }, b.address, { kind: "vote", vote })).to.deep.equal({ kind: "vote", vote });
  });
});
