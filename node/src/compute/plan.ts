/**
 * Map-reduce planning, as pure functions every member evaluates identically:
 *
 * - `planJob`: who computes which shard. Members are sorted, then ranked for this job by
 *   sha256(job CID ‖ address) (rendezvous hashing, so different jobs start on different members);
 *   slots are dealt shard by shard to the least loaded member not yet on the shard, preferring the
 *   one that has shared the fewest shards with the shard's members so far (so the same pair does not
 *   always check each other), then round-robin in ranking order. Each shard gets `redundancy`
 *   distinct members and member loads differ by at most one.
 * - `reassign`: given who answered, the shards of members that stayed silent go to the least
 *   loaded members that did answer everything asked of them (ties: ranking order from the shard).
 * - `shardAssignees`: the same idea one shard at a time, for an engine that escalates per shard
 *   ("the plan's members plus one more per timeout").
 * (Deciding a shard from its results is tally.ts.)
 */
import { sha256 } from "@noble/hashes/sha256";
import type { CID } from "multiformats/cid";
import { PlanError } from "./errors.js";
import { canonical, canonicalMembers, canonicalOrNull } from "./members.js";

export interface PlanInput {
  job: CID;
  /** Ring members (any order, any address case). */
  members: readonly string[];
  shards: number;
  redundancy: number;
}

export interface JobPlan {
  job: CID;
  /** Members, checksummed, ascending by address. */
  members: string[];
  /** The job's ranking of the members (rendezvous hash order). */
  ranking: string[];
  shards: number;
  redundancy: number;
  /** `assignments[s]`: the members computing shard s. */
  assignments: string[][];
  /** 0 for the initial plan, +1 per `reassign`. */
  attempt: number;
}

export interface ShardAnswer {
  shard: number;
  member: string;
}

export interface Move {
  shard: number;
  from: string;
  to: string;
}

export interface Reassignment {
  plan: JobPlan;
  moves: Move[];
  /** Shards with a silent member for which no replacement was available (they keep the member). */
  stranded: number[];
}

export function planJob(input: PlanInput): JobPlan {
  const members = canonicalMembers(input.members);
  const n = members.length;
  if (n === 0) throw new PlanError("a plan needs at least one member");
  if (!Number.isSafeInteger(input.shards) || input.shards < 1) throw new PlanError(`shards must be a positive integer, got ${input.shards}`);
  if (!Number.isSafeInteger(input.redundancy) || input.redundancy < 1) throw new PlanError(`redundancy must be a positive integer, got ${input.redundancy}`);
  if (input.redundancy > n) throw new PlanError(`redundancy ${input.redundancy} needs at least as many members, the ring has ${n}`);
  const ranking = rank(input.job, members);
  const assignments = deal(ranking, input.shards, input.redundancy);
  return { job: input.job, members, ranking, shards: input.shards, redundancy: input.redundancy, assignments, attempt: 0 };
}

/** How many shards each member computes. */
export function memberLoads(plan: JobPlan): Map<string, number> {
  const loads = new Map(plan.members.map((member) => [member, 0]));
  for (const shardMembers of plan.assignments) for (const member of shardMembers) loads.set(member, (loads.get(member) ?? 0) + 1);
  return loads;
}

/** The shards a member computes, ascending. */
export function shardsOf(plan: JobPlan, member: string): number[] {
  const address = canonical(member);
  return plan.assignments.flatMap((shardMembers, shard) => (shardMembers.includes(address) ? [shard] : []));
}

/**
 * Moves every unanswered assignment to another member. A member is *silent* if it left any of its
 * assigned shards unanswered; silent members receive nothing new. Replacements go, shard by shard
 * ascending, to the least loaded responsive member not already on the shard (ties: ranking order
 * starting after the shard's first slot, so replacements spread out).
 */
export function reassign(plan: JobPlan, answered: Iterable<ShardAnswer>): Reassignment {
  const answeredBy = answersByShard(plan, answered);
  const silent = new Set<string>();
  plan.assignments.forEach((shardMembers, shard) => {
    for (const member of shardMembers) if (!answeredBy[shard]?.has(member)) silent.add(member);
  });
  const assignments = plan.assignments.map((shardMembers) => [...shardMembers]);
  const loads = memberLoads(plan);
  const moves: Move[] = [];
  const stranded: number[] = [];
  assignments.forEach((shardMembers, shard) => {
    shardMembers.forEach((member, slot) => {
      if (answeredBy[shard]?.has(member)) return;
      const replacement = pickMember(plan, shard, loads, (candidate) => !silent.has(candidate) && !shardMembers.includes(candidate));
      if (replacement === undefined) {
        if (!stranded.includes(shard)) stranded.push(shard);
        return;
      }
      shardMembers[slot] = replacement;
      loads.set(member, (loads.get(member) ?? 1) - 1);
      loads.set(replacement, (loads.get(replacement) ?? 0) + 1);
      moves.push({ shard, from: member, to: replacement });
    });
  });
  return { plan: { ...plan, assignments, attempt: plan.attempt + 1 }, moves, stranded };
}

/**
 * Who should compute `shard` after `attempts` timeouts without an agreed result: the plan's members
 * for the shard, plus `attempts` more, each the next in ranking order (from the shard's slot) that
 * is neither already listed nor among those who already answered the shard.
 */
export function shardAssignees(plan: JobPlan, shard: number, answered: ReadonlySet<string>, attempts: number): string[] {
  const base = assignmentOf(plan, shard);
  const answeredCanonical = new Set([...answered].map(canonical));
  const extra: string[] = [];
  const n = plan.ranking.length;
  const start = (shard * plan.redundancy) % n;
  for (let step = 0; step < n && extra.length < attempts; step += 1) {
    const candidate = plan.ranking[(start + step) % n] as string;
    if (!base.includes(candidate) && !answeredCanonical.has(candidate) && !extra.includes(candidate)) extra.push(candidate);
  }
  return [...base, ...extra];
}

function deal(ranking: string[], shards: number, redundancy: number): string[][] {
  const n = ranking.length;
  const loads = ranking.map(() => 0);
  const together = ranking.map(() => ranking.map(() => 0));
  let cursor = 0;
  const assignments: string[][] = [];
  for (let shard = 0; shard < shards; shard += 1) {
    const chosen: number[] = [];
    for (let replica = 0; replica < redundancy; replica += 1) {
      let best: { index: number; load: number; shared: number } | undefined;
      for (let step = 0; step < n; step += 1) {
        const index = (cursor + step) % n;
        if (chosen.includes(index)) continue;
        const load = loads[index] as number;
        const shared = chosen.reduce((sum, other) => sum + (together[index]?.[other] as number), 0);
        if (best === undefined || load < best.load || (load === best.load && shared < best.shared)) best = { index, load, shared };
      }
      const pick = (best as { index: number }).index;
      for (const other of chosen) {
        (together[pick] as number[])[other] = (together[pick]?.[other] as number) + 1;
        (together[other] as number[])[pick] = (together[other]?.[pick] as number) + 1;
      }
      chosen.push(pick);
      loads[pick] = (loads[pick] as number) + 1;
      cursor = (pick + 1) % n;
    }
    assignments.push(chosen.map((index) => ranking[index] as string));
  }
  return assignments;
}

function rank(job: CID, members: string[]): string[] {
  const keyed = members.map((member) => {
    const input = new Uint8Array(job.bytes.length + 20);
    input.set(job.bytes, 0);
    input.set(Buffer.from(member.slice(2), "hex"), job.bytes.length);
    return { member, key: Buffer.from(sha256(input)).toString("hex") };
  });
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ member }) => member);
}

function pickMember(plan: JobPlan, shard: number, loads: Map<string, number>, eligible: (member: string) => boolean): string | undefined {
  const n = plan.ranking.length;
  const start = (shard * plan.redundancy) % n;
  let best: { member: string; load: number; distance: number } | undefined;
  for (let distance = 0; distance < n; distance += 1) {
    const member = plan.ranking[(start + distance) % n] as string;
    if (!eligible(member)) continue;
    const load = loads.get(member) ?? 0;
    if (best === undefined || load < best.load) best = { member, load, distance };
  }
  return best?.member;
}

function answersByShard(plan: JobPlan, answered: Iterable<ShardAnswer>): Set<string>[] {
  const byShard = Array.from({ length: plan.shards }, () => new Set<string>());
  for (const answer of answered) {
    const member = canonicalOrNull(answer.member);
    if (member !== null) byShard[answer.shard]?.add(member);
  }
  return byShard;
}

function assignmentOf(plan: JobPlan, shard: number): string[] {
  const shardMembers = plan.assignments[shard];
  if (shardMembers === undefined) throw new PlanError(`shard ${shard} is not in the plan (0..${plan.shards - 1})`);
  return shardMembers;
}
