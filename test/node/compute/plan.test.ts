import { expect } from "chai";
import { Wallet } from "ethers";
import { CID } from "multiformats/cid";
import {
  decideShard,
  encodeData,
  memberLoads,
  planJob,
  PlanError,
  reassign,
  shardAssignees,
  shardsOf,
  tallyJob,
  type ShardVote,
} from "../../../node/src/compute/index.js";

const members = Array.from({ length: 7 }, (_, i) => new Wallet(`0x${(i + 1).toString(16).padStart(64, "0")}`).address);
const jobCid = async (n: number): Promise<CID> => (await encodeData({ job: n })).cid;
const resultCid = async (value: string): Promise<CID> => (await encodeData(value)).cid;

describe("compute: map-reduce planning", function () {
  it("makes the same plan from the same job and members, whatever their order and case", async function () {
    const job = await jobCid(1);
    const a = planJob({ job, members, shards: 9, redundancy: 2 });
    const b = planJob({ job, members: [...members].reverse().map((m) => m.toLowerCase()), shards: 9, redundancy: 2 });
    expect(b.assignments).to.deep.equal(a.assignments);
    expect(b.members).to.deep.equal(a.members);
  });

  it("starts different jobs on different members", async function () {
    const firsts = new Set<string>();
    for (let n = 0; n < 20; n += 1) firsts.add(planJob({ job: await jobCid(n), members, shards: 1, redundancy: 1 }).assignments[0]?.[0] as string);
    expect(firsts.size).to.be.greaterThan(2);
  });

  it("gives every shard `redundancy` distinct members and balances loads within one shard", async function () {
    const job = await jobCid(2);
    for (const n of [1, 2, 3, 4, 5, 7]) {
      for (const shards of [1, 2, 3, 4, 8, 13]) {
        for (let redundancy = 1; redundancy <= n; redundancy += 1) {
          const plan = planJob({ job, members: members.slice(0, n), shards, redundancy });
          for (const shardMembers of plan.assignments) {
            expect(shardMembers).to.have.length(redundancy);
            expect(new Set(shardMembers).size).to.equal(redundancy);
          }
          const loads = [...memberLoads(plan).values()];
          expect(Math.max(...loads) - Math.min(...loads), `n=${n} shards=${shards} r=${redundancy}`).to.be.at.most(1);
          expect(loads.reduce((a, b) => a + b, 0)).to.equal(shards * redundancy);
        }
      }
    }
  });

  it("varies which members check each other's shards", async function () {
    const plan = planJob({ job: await jobCid(7), members: members.slice(0, 4), shards: 8, redundancy: 2 });
    const pairs = new Set(plan.assignments.map((shardMembers) => [...shardMembers].sort().join("|")));
    expect(pairs.size).to.be.at.least(4);
  });

  it("refuses a redundancy above the member count", function () {
    expect(() => planJob({ job: CID.parse("bafyreigdmqpykrgxyaxtlafqpqhzrb7qy2rh75nldvfd4tucqmqqme5yge"), members: members.slice(0, 2), shards: 2, redundancy: 3 })).to.throw(PlanError);
  });

  it("moves a silent member's shards to responsive members and keeps loads even", async function () {
    const plan = planJob({ job: await jobCid(3), members: members.slice(0, 4), shards: 8, redundancy: 2 });
    const silent = plan.ranking[1] as string;
    const answered = plan.assignments.flatMap((shardMembers, shard) => shardMembers.filter((m) => m !== silent).map((member) => ({ shard, member })));
    const { plan: next, moves, stranded } = reassign(plan, answered);
    expect(stranded).to.deep.equal([]);
    expect(moves.map((move) => move.shard)).to.deep.equal(shardsOf(plan, silent));
    expect(shardsOf(next, silent)).to.deep.equal([]);
    for (const shardMembers of next.assignments) expect(new Set(shardMembers).size).to.equal(2);
    const loads = [...memberLoads(next).entries()].filter(([member]) => member !== silent).map(([, load]) => load);
    expect(Math.max(...loads) - Math.min(...loads)).to.be.at.most(1);
    expect(next.attempt).to.equal(1);
  });

  it("keeps members that answered and reports shards nobody can take over", async function () {
    const plan = planJob({ job: await jobCid(4), members: members.slice(0, 2), shards: 2, redundancy: 2 });
    const [first, second] = plan.members as [string, string];
    const { plan: next, stranded } = reassign(plan, [{ shard: 0, member: first }, { shard: 1, member: first }]);
    expect(stranded).to.deep.equal([0, 1]);
    expect(next.assignments.every((shardMembers) => shardMembers.includes(first) && shardMembers.includes(second))).to.equal(true);
  });

  it("adds one member per timed-out attempt, never one that already answered", async function () {
    const plan = planJob({ job: await jobCid(5), members: members.slice(0, 5), shards: 3, redundancy: 2 });
    const base = plan.assignments[1] as string[];
    expect(shardAssignees(plan, 1, new Set(), 0)).to.deep.equal(base);
    const once = shardAssignees(plan, 1, new Set(base), 1);
    expect(once).to.have.length(3);
    const twice = shardAssignees(plan, 1, new Set([...base, once[2] as string]), 2);
    expect(twice.slice(0, 2)).to.deep.equal(base);
    expect(new Set(twice).size).to.equal(4);
    expect(twice).to.not.include(once[2]);
  });

  it("agrees on a shard result once a majority of its redundancy returned it; others dissent", async function () {
    const good = await resultCid("good");
    const bad = await resultCid("bad");
    const [a, b, c] = members as [string, string, string];
    expect(decideShard(0, 3, [{ shard: 0, member: a, result: good }])).to.include({ status: "open", needed: 2, leading: 1 });
    const decision = decideShard(0, 3, [
      { shard: 0, member: a, result: good },
      { shard: 0, member: b, result: bad },
      { shard: 0, member: c, result: good },
    ]);
    expect(decision.status).to.equal("agreed");
    if (decision.status !== "agreed") return;
    expect(decision.result.equals(good)).to.equal(true);
    expect(decision.agreeing).to.deep.equal([a, c].sort());
    expect(decision.dissenting).to.deep.equal([b]);
  });

  it("counts a member once per shard, so repeating a vote does not make a majority", async function () {
    const good = await resultCid("good");
    const [a] = members as [string];
    const votes = [0, 1, 2].map(() => ({ shard: 0, member: a, result: good }));
    expect(decideShard(0, 3, votes).status).to.equal("open");
  });

  it("tallies a job: complete with shard results in order, agreements and dissents per member", async function () {
    const plan = planJob({ job: await jobCid(6), members: members.slice(0, 4), shards: 3, redundancy: 3 });
    const liar = plan.members[0] as string;
    const votes: ShardVote[] = [];
    for (const [shard, shardMembers] of plan.assignments.entries()) {
      for (const member of shardMembers) votes.push({ shard, member, result: await resultCid(member === liar ? `lie ${shard}` : `shard ${shard}`) });
    }
    votes.push({ shard: 0, member: "0x000000000000000000000000000000000000dEaD", result: await resultCid("outsider") });
    const tally = tallyJob(plan, votes);
    expect(tally.complete).to.equal(true);
    expect(tally.results?.map(String)).to.deep.equal([String(await resultCid("shard 0")), String(await resultCid("shard 1")), String(await resultCid("shard 2"))]);
    expect(tally.dissents.get(liar)).to.equal(shardsOf(plan, liar).length);
    for (const member of plan.members.filter((m) => m !== liar)) expect(tally.agreements.get(member)).to.equal(shardsOf(plan, member).length);
    expect(tally.dissents.has("0x000000000000000000000000000000000000dEaD")).to.equal(false);
  });
});
