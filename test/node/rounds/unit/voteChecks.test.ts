/**
 * A member's checks of a relayer's proposal (rounds/voteChecks.ts): pure functions of what the
 * member holds, so the logs are a few payloads in memory and the compute layer only decides
 * majorities. Three members a, b, c; one job submitted by a, one shard, redundancy 3 (2 agree).
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { describe, it } from "mocha";
import type { CID } from "multiformats/cid";
import { encodeData, encodeJobCode, encodeJobSpec } from "../../../../node/src/compute/job.js";
import { decideShard } from "../../../../node/src/compute/tally.js";
import type { EncodedLogNode } from "../../../../node/src/core/logNode.js";
import { JOB_ENTRY, PROPOSAL_ENTRY, SHARD_ENTRY, type CutHead, type ProposalEntry } from "../../../../node/src/rounds/entries.js";
import { JobBook } from "../../../../node/src/rounds/jobBook.js";
import type { JobCompute } from "../../../../node/src/rounds/jobCompute.js";
import { checkProposalFrame, checkProposalJobs, proposalIsCurrent, type ProposalFrameView, type ProposalJobsView } from "../../../../node/src/rounds/voteChecks.js";

const [a, b, c, outsider] = [0, 1, 2, 3].map(() => Wallet.createRandom().address) as [string, string, string, string];
const members = new Set([a, b, c]);
const isMember = (address: string) => members.has(address);
const GATE = Wallet.createRandom().address;
const OTHER_GATE = Wallet.createRandom().address;
const PREV_HEAD = `0x${"ab".repeat(32)}`;
const RING_HEAD = `0x${"22".repeat(32)}`;
const PIN = 7;

const compute: Pick<JobCompute, "shape" | "majority"> = {
  shape: () => ({ shards: 1, redundancy: 3 }),
  majority: (shape, votes) => {
    const decision = decideShard(0, shape.redundancy, votes.map((v) => ({ ...v, shard: 0 })));
    return decision.status === "agreed" ? { result: decision.result, agreeing: decision.agreeing, dissenting: decision.dissenting } : null;
  },
};

/** A JobBook over in-memory logs (author -> payloads in seq order). */
async function bookOf(logs: Map<string, unknown[]>): Promise<JobBook> {
  const book = new JobBook({
    authors: () => [...logs.keys()],
    length: (author) => logs.get(author)?.length ?? 0,
    nodeAt: (author, seq) => {
      const payload = logs.get(author)?.[seq];
      return Promise.resolve(payload === undefined ? null : ({ node: { payload } } as EncodedLogNode));
    },
  }, () => Promise.resolve(true));
  await book.scan();
  return book;
}

interface World {
  book: JobBook;
  job: CID;
  result: CID;
  /** Heads: a's job at 0 and a's result at 1, b's result at 0. */
  heads: { aJob: CutHead; aResult: CutHead; bResult: CutHead };
}

/** a submits the job and computes the shard, b computes the same result. */
async function world(): Promise<World> {
  const code = await encodeJobCode("export function map() { return 1 } export function reduce() { return 1 }");
  const spec = await encodeJobSpec({ code: code.cid, inputs: [(await encodeData("text")).cid], params: null, shards: 1, redundancy: 3 });
  const result = await encodeData({ count: 1 });
  const shard = { type: SHARD_ENTRY, job: spec.cid, shard: 0, result: result.cid, bytes: result.bytes };
  const book = await bookOf(new Map<string, unknown[]>([[a, [{ type: JOB_ENTRY, job: spec.cid, spec: spec.bytes, pin: PIN }, shard]], [b, [shard]], [c, []]]));
  const head = async (author: string, seq: number) => ({ author, seq, cid: (await encodeData(`${author}/${seq}`)).cid });
  return { book, job: spec.cid, result: result.cid, heads: { aJob: await head(a, 0), aResult: await head(a, 1), bResult: await head(b, 0) } };
}

function proposal(w: World, changes: Partial<ProposalEntry> = {}, pin = PIN): ProposalEntry {
  return {
    type: PROPOSAL_ENTRY,
    round: 5,
    prevHead: PREV_HEAD,
    cut: [w.heads.aResult, w.heads.bResult],
    jobs: [{ job: w.job, shards: [w.result], output: w.result, pin }],
    gate: GATE,
    ringNodeHead: RING_HEAD,
    ...changes,
  };
}

const chainNow: ProposalFrameView = { selfIsMember: true, nextRound: 5, ringNodeHead: PREV_HEAD, gate: GATE, isMember };

function jobsView(w: World, finalised: readonly string[] = []): ProposalJobsView {
  return { book: w.book, compute, isMember, isFinalised: (id) => finalised.includes(id) };
}

describe("a member's checks of a proposal", function () {
  describe("the frame: round, previous ring head, gate, cut", function () {
    it("accepts a proposal for the next round on the chain's ring head, its gate, a cut of members", async function () {
      expect(checkProposalFrame(proposal(await world()), chainNow)).to.equal(null);
    });

    it("refuses when this node is not a member", async function () {
      expect(checkProposalFrame(proposal(await world()), { ...chainNow, selfIsMember: false })).to.equal("not a member");
    });

    it("refuses a proposal for another round than the next one", async function () {
      expect(checkProposalFrame(proposal(await world(), { round: 6 }), chainNow)).to.equal("round 6 is not the next round 5");
    });

    it("refuses a proposal built on a different previous ring head", async function () {
      expect(checkProposalFrame(proposal(await world(), { prevHead: `0x${"33".repeat(32)}` }), chainNow)).to.equal("previous ring head differs");
    });

    it("refuses a proposal whose outputs go to another gate", async function () {
      expect(checkProposalFrame(proposal(await world(), { gate: OTHER_GATE }), chainNow)).to.equal("another gate");
    });

    it("refuses a cut that holds a non-member's head", async function () {
      const w = await world();
      const cut = [...proposal(w).cut, { ...w.heads.bResult, author: outsider }];
      expect(checkProposalFrame(proposal(w, { cut }), chainNow)).to.equal(`${outsider} in the cut is not a member`);
    });

    it("tells a proposal for the chain's round and head (in any hex case) from one for another round (the voter polls the chain then)", async function () {
      const w = await world();
      expect(proposalIsCurrent(proposal(w), chainNow)).to.equal(true);
      expect(proposalIsCurrent(proposal(w, { round: 6 }), chainNow)).to.equal(false);
      expect(proposalIsCurrent(proposal(w, { prevHead: `0x${"AB".repeat(32)}` }), chainNow)).to.equal(true);
    });
  });

  describe("the jobs, within the cut", function () {
    it("accepts a job in the cut with a majority for every shard: the inputs this member reduces itself", async function () {
      const w = await world();
      const checked = checkProposalJobs(proposal(w), jobsView(w));
      expect(checked.kind).to.equal("accept");
      if (checked.kind !== "accept") return;
      expect(checked.jobs).to.have.length(1);
      expect(checked.jobs[0]?.job.id).to.equal(w.job.toString());
      expect(checked.jobs[0]?.shards.map(String)).to.deep.equal([w.result.toString()]);
    });

    it("refuses a job whose entry is not in the cut", async function () {
      const w = await world();
      const checked = checkProposalJobs(proposal(w, { cut: [w.heads.bResult] }), jobsView(w));
      expect(checked).to.deep.equal({ kind: "refuse", reason: `job ${w.job.toString()} is not in the cut` });
    });

    it("refuses a job that is already finalised", async function () {
      const w = await world();
      const checked = checkProposalJobs(proposal(w), jobsView(w, [w.job.toString()]));
      expect(checked).to.deep.equal({ kind: "refuse", reason: `job ${w.job.toString()} is already finalised` });
    });

    it("refuses a job proposed for another pin than its submitter chose", async function () {
      const w = await world();
      const checked = checkProposalJobs(proposal(w, {}, PIN + 1), jobsView(w));
      expect(checked).to.deep.equal({ kind: "refuse", reason: `job ${w.job.toString()} goes to pin ${PIN}` });
    });

    it("refuses a job with a shard that has no majority within the cut (a's result is past the cut)", async function () {
      const w = await world();
      const checked = checkProposalJobs(proposal(w, { cut: [w.heads.aJob, w.heads.bResult] }), jobsView(w));
      expect(checked).to.deep.equal({ kind: "refuse", reason: `job ${w.job.toString()} has a shard without majority in the cut` });
    });
  });
});
