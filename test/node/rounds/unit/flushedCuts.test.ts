/**
 * How the rounds learn which rounds were flushed and hand their cuts to the messages: the walk back
 * from the chain's ring head through the proposals' previous heads (finalisation.ts), and the check
 * that a logged proposal is what the ring head it claims commits (jobBook.ts with roundContent.ts
 * `proposalMatchesHead`): only such proposals are believed.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import pino from "pino";
import { cidOfBytes } from "../../../../node/src/core/cid.js";
import { PROPOSAL_ENTRY, type CutHead, type ProposalEntry } from "../../../../node/src/rounds/entries.js";
import { Finalisation } from "../../../../node/src/rounds/finalisation.js";
import type { KnownProposal } from "../../../../node/src/rounds/jobBook.js";
import { JobBook } from "../../../../node/src/rounds/jobBook.js";
import { proposalMatchesHead, ringNodeOf, ZERO_ADDRESS } from "../../../../node/src/rounds/roundContent.js";
import type { EncodedLogNode } from "../../../../node/src/core/logNode.js";

const RING = "0x00000000000000000000000000000000000000C0";
const A = "0x00000000000000000000000000000000000000aa";
const GATE = "0x00000000000000000000000000000000000000ca";
const ZERO_HEAD = `0x${"0".repeat(64)}`;
const logger = pino({ level: "silent" });

async function cutOf(seq: number): Promise<CutHead[]> {
  return [{ author: A, seq, cid: await cidOfBytes(new Uint8Array([seq])) }];
}

/** Proposals of rounds 1 ... n, each linked to the previous ring head, as the relayers make them. */
async function proposals(n: number): Promise<ProposalEntry[]> {
  const made: ProposalEntry[] = [];
  let prevHead = ZERO_HEAD;
  for (let round = 1; round <= n; round++) {
    const cut = await cutOf(round);
    const node = await ringNodeOf(RING, round, prevHead, cut, ZERO_ADDRESS, []);
    made.push({ type: PROPOSAL_ENTRY, round, prevHead, cut, jobs: [], gate: ZERO_ADDRESS, ringNodeHead: node.head });
    prevHead = node.head;
  }
  return made;
}

/** A JobBook over one author's log holding `entries`, checking proposals as the rounds do. */
async function bookOf(entries: ProposalEntry[]): Promise<JobBook> {
  const book = new JobBook(
    {
      authors: () => [A],
      length: () => entries.length,
      nodeAt: (_author, seq) => Promise.resolve(entries[seq] === undefined ? null : ({ node: { payload: entries[seq] } } as EncodedLogNode)),
    },
    (proposal) => proposalMatchesHead(RING, proposal),
  );
  await book.scan();
  return book;
}

function finalisationOf(entries: ProposalEntry[], chainRound: number, onRound: (round: number, proposal: ProposalEntry) => void): Finalisation {
  const byHead = new Map<string, KnownProposal>(entries.map((entry) => [entry.ringNodeHead.toLowerCase(), { proposer: A, seq: 0, entry }]));
  const head = entries.find((entry) => entry.round === chainRound)?.ringNodeHead ?? ZERO_HEAD;
  return new Finalisation(
    { chain: { round: () => BigInt(chainRound), ringNodeHead: () => head } },
    {
      book: { proposal: (key) => byHead.get(key.toLowerCase()), allProposals: () => byHead.values(), forgetProposal: (key) => byHead.delete(key.toLowerCase()) },
      ringLog: () => Promise.reject(new Error("no ring log reads in this test")),
      onFinalised: () => undefined,
      onRound,
      logger,
      trace: () => undefined,
    },
  );
}

describe("rounds: flushed cuts for the messages", () => {
  it("finds every flushed round back from the chain's ring head through the proposals' previous heads", async () => {
    const reported: number[] = [];
    await finalisationOf(await proposals(3), 3, (round) => reported.push(round)).recover();
    expect(reported.sort()).to.deep.equal([1, 2, 3]);
  });

  it("stops the walk at a proposal not held and takes it up again once it is", async () => {
    const all = await proposals(3);
    const held = all.filter((entry) => entry.round !== 2);
    const reported: number[] = [];
    const byHead = new Map<string, KnownProposal>(held.map((entry) => [entry.ringNodeHead.toLowerCase(), { proposer: A, seq: 0, entry }]));
    const finalisation = new Finalisation(
      { chain: { round: () => 3n, ringNodeHead: () => (all[2] as ProposalEntry).ringNodeHead } },
      { book: { proposal: (key) => byHead.get(key.toLowerCase()), allProposals: () => byHead.values(), forgetProposal: (key) => byHead.delete(key.toLowerCase()) }, ringLog: () => Promise.reject(new Error("none")), onFinalised: () => undefined, onRound: (round) => reported.push(round), logger, trace: () => undefined },
    );
    await finalisation.recover();
    expect(reported).to.deep.equal([3]);
    const second = all[1] as ProposalEntry;
    byHead.set(second.ringNodeHead.toLowerCase(), { proposer: A, seq: 0, entry: second });
    await finalisation.recover();
    expect(reported.sort()).to.deep.equal([1, 2, 3]);
  });

  it("believes a logged proposal that rebuilds to the ring head it claims", async () => {
    const [proposal] = (await proposals(1)) as [ProposalEntry];
    const book = await bookOf([proposal]);
    expect(book.proposal(proposal.ringNodeHead)?.entry.cut).to.deep.equal(proposal.cut);
  });

  it("keeps no logged proposal whose cut is not the one its ring head commits", async () => {
    const [proposal] = (await proposals(1)) as [ProposalEntry];
    const book = await bookOf([{ ...proposal, cut: await cutOf(99) }, proposal]);
    expect(book.mismatchedProposals()).to.equal(1);
    expect(book.proposal(proposal.ringNodeHead)?.entry.cut).to.deep.equal(proposal.cut);
  });

  it("keeps no logged proposal that attaches the round's outputs to other jobs", async () => {
    const [first, second] = [await cidOfBytes(new Uint8Array([1])), await cidOfBytes(new Uint8Array([2]))];
    const [out1, out2] = [await cidOfBytes(new Uint8Array([11])), await cidOfBytes(new Uint8Array([12]))];
    const cut = await cutOf(1);
    const jobs = [{ job: first, shards: [], output: out1, pin: 3 }, { job: second, shards: [], output: out2, pin: 3 }];
    const node = await ringNodeOf(RING, 1, ZERO_HEAD, cut, GATE, jobs);
    const honest: ProposalEntry = { type: PROPOSAL_ENTRY, round: 1, prevHead: ZERO_HEAD, cut, jobs, gate: GATE, ringNodeHead: node.head };
    // Same Gate outputs (pins and CIDs in the same order), each job named with the other's output.
    const swapped: ProposalEntry = { ...honest, jobs: [{ ...jobs[0], job: second }, { ...jobs[1], job: first }] as ProposalEntry["jobs"] };
    expect(await proposalMatchesHead(RING, honest)).to.equal(true);
    expect(await proposalMatchesHead(RING, swapped)).to.equal(false);
    const book = await bookOf([swapped]);
    expect(book.proposal(honest.ringNodeHead)).to.equal(undefined);
  });

  it("drops a settled round's proposal and does not take it in again when its log entry is read later", async () => {
    const [proposal] = (await proposals(1)) as [ProposalEntry];
    const logged: ProposalEntry[] = [];
    const book = new JobBook(
      { authors: () => [A], length: () => logged.length, nodeAt: (_author, seq) => Promise.resolve(logged[seq] === undefined ? null : ({ node: { payload: logged[seq] } } as EncodedLogNode)) },
      (entry) => proposalMatchesHead(RING, entry),
    );
    book.noteProposal(A, proposal);
    const finalisation = new Finalisation(
      { chain: { round: () => 1n, ringNodeHead: () => proposal.ringNodeHead } },
      { book, ringLog: () => Promise.reject(new Error("none")), onFinalised: () => undefined, logger, trace: () => undefined },
    );
    finalisation.onFlushedEvent(1, proposal.ringNodeHead, "0xaa");
    finalisation.apply();
    expect(book.proposal(proposal.ringNodeHead)).to.equal(undefined);
    logged.push(proposal);
    await book.scan();
    expect(book.proposal(proposal.ringNodeHead)).to.equal(undefined);
  });
});
