/**
 * How the rounds learn which rounds were flushed and hand their cuts to the messages: the walk back
 * from the chain's ring head through the proposals' previous heads (finalisation.ts), and the check
 * that a proposal is what its flushed ring head commits (roundWork.ts `flushedCuts`).
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import pino from "pino";
import { cidOfBytes } from "../../../../node/src/core/cid.js";
import { PROPOSAL_ENTRY, type CutHead, type ProposalEntry } from "../../../../node/src/rounds/entries.js";
import { Finalisation } from "../../../../node/src/rounds/finalisation.js";
import type { KnownProposal } from "../../../../node/src/rounds/jobBook.js";
import { ringNodeOf, ZERO_ADDRESS } from "../../../../node/src/rounds/roundContent.js";
import { flushedCuts } from "../../../../node/src/rounds/roundWork.js";
import { NO_OUTPUTS } from "../../../../node/src/core/ringVotes.js";

const RING = "0x00000000000000000000000000000000000000C0";
const A = "0x00000000000000000000000000000000000000aa";
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
    const node = await ringNodeOf(RING, round, prevHead, cut, NO_OUTPUTS);
    made.push({ type: PROPOSAL_ENTRY, round, prevHead, cut, jobs: [], gate: ZERO_ADDRESS, ringNodeHead: node.head });
    prevHead = node.head;
  }
  return made;
}

function finalisationOf(entries: ProposalEntry[], chainRound: number, onRound: (round: number, proposal: ProposalEntry) => void): Finalisation {
  const byHead = new Map<string, KnownProposal>(entries.map((entry) => [entry.ringNodeHead.toLowerCase(), { proposer: A, seq: 0, entry }]));
  const head = entries.find((entry) => entry.round === chainRound)?.ringNodeHead ?? ZERO_HEAD;
  return new Finalisation(
    { chain: { round: () => BigInt(chainRound), ringNodeHead: () => head } },
    {
      book: { proposal: (key) => byHead.get(key.toLowerCase()), allProposals: () => byHead.values() },
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
      { book: { proposal: (key) => byHead.get(key.toLowerCase()), allProposals: () => byHead.values() }, ringLog: () => Promise.reject(new Error("none")), onFinalised: () => undefined, onRound: (round) => reported.push(round), logger, trace: () => undefined },
    );
    await finalisation.recover();
    expect(reported).to.deep.equal([3]);
    const second = all[1] as ProposalEntry;
    byHead.set(second.ringNodeHead.toLowerCase(), { proposer: A, seq: 0, entry: second });
    await finalisation.recover();
    expect(reported.sort()).to.deep.equal([1, 2, 3]);
  });

  it("hands over the cut of a proposal that matches its ring head", async () => {
    const [proposal] = (await proposals(1)) as [ProposalEntry];
    const got = await new Promise<readonly CutHead[]>((resolve) => flushedCuts({ waiting: () => false, flushed: (_round, cut) => resolve(cut) }, RING, logger)(1, proposal));
    expect(got).to.deep.equal(proposal.cut);
  });

  it("ignores a proposal whose cut is not the one its ring head commits", async () => {
    const [proposal] = (await proposals(1)) as [ProposalEntry];
    const forged = { ...proposal, cut: await cutOf(99) };
    const warned = new Promise<string>((resolve) => {
      const handed: number[] = [];
      flushedCuts({ waiting: () => false, flushed: (round) => handed.push(round) }, RING, { warn: (_details: object, message: string) => resolve(`${handed.length}: ${message}`) } as unknown as pino.Logger)(1, forged);
    });
    expect(await warned).to.match(/^0: .*does not match/);
  });
});
