/**
 * Deciding shards from the members' results, as pure functions every member evaluates identically:
 * results are compared by CID; a result is agreed once floor(redundancy / 2) + 1 members returned
 * it; members that returned anything else dissent.
 */
import type { CID } from "multiformats/cid";
import { canonical, canonicalOrNull } from "./members.js";
import type { JobPlan, ShardAnswer } from "./plan.js";

export interface ShardVote extends ShardAnswer {
  result: CID;
}

export type ShardDecision =
  | { shard: number; status: "agreed"; result: CID; agreeing: string[]; dissenting: string[] }
  | { shard: number; status: "open"; votes: number; needed: number; leading: number };

export interface JobTally {
  shards: ShardDecision[];
  /** True when every shard is agreed. */
  complete: boolean;
  /** The agreed result of each shard, in shard order (only when complete). */
  results: CID[] | undefined;
  /** Per member: shards where it returned the agreed result. */
  agreements: Map<string, number>;
  /** Per member: shards where it returned something else (outvoted). */
  dissents: Map<string, number>;
}

/** Votes a result needs to be agreed: a strict majority of the shard's redundancy. */
export function majorityNeeded(redundancy: number): number {
  return Math.floor(redundancy / 2) + 1;
}

/**
 * Decides one shard from its votes (one per member: a member's later votes are ignored). The
 * result with the most votes wins once it has `majorityNeeded(redundancy)`; equal counts go to the
 * smaller CID string so every member picks the same one.
 */
export function decideShard(shard: number, redundancy: number, votes: Iterable<ShardVote>): ShardDecision {
  const firstVotes = new Map<string, ShardVote>();
  for (const vote of votes) {
    if (vote.shard !== shard) continue;
    const member = canonical(vote.member);
    if (!firstVotes.has(member)) firstVotes.set(member, { ...vote, member });
  }
  const groups = new Map<string, { result: CID; members: string[] }>();
  for (const vote of firstVotes.values()) {
    const key = vote.result.toString();
    const group = groups.get(key) ?? { result: vote.result, members: [] };
    group.members.push(vote.member);
    groups.set(key, group);
  }
  const needed = majorityNeeded(redundancy);
  const ordered = [...groups.entries()].sort(([keyA, a], [keyB, b]) => b.members.length - a.members.length || (keyA < keyB ? -1 : 1));
  const best = ordered[0]?.[1];
  if (best === undefined || best.members.length < needed) {
    return { shard, status: "open", votes: firstVotes.size, needed, leading: best?.members.length ?? 0 };
  }
  const dissenting = [...firstVotes.values()].filter((vote) => !vote.result.equals(best.result)).map((vote) => vote.member);
  return { shard, status: "agreed", result: best.result, agreeing: [...best.members].sort(), dissenting: dissenting.sort() };
}

/** Decides every shard of a plan from all votes collected so far (votes of non-members are ignored). */
export function tallyJob(plan: JobPlan, votes: Iterable<ShardVote>): JobTally {
  const members = new Set(plan.members);
  const byShard: ShardVote[][] = Array.from({ length: plan.shards }, () => []);
  for (const vote of votes) {
    const member = canonicalOrNull(vote.member);
    if (member === null || !members.has(member)) continue;
    byShard[vote.shard]?.push({ ...vote, member });
  }
  const shards = byShard.map((shardVotes, shard) => decideShard(shard, plan.redundancy, shardVotes));
  const agreements = new Map<string, number>();
  const dissents = new Map<string, number>();
  for (const decision of shards) {
    if (decision.status !== "agreed") continue;
    for (const member of decision.agreeing) agreements.set(member, (agreements.get(member) ?? 0) + 1);
    for (const member of decision.dissenting) dissents.set(member, (dissents.get(member) ?? 0) + 1);
  }
  const complete = shards.every((decision) => decision.status === "agreed");
  const results = complete ? shards.flatMap((decision) => (decision.status === "agreed" ? [decision.result] : [])) : undefined;
  return { shards, complete, results, agreements, dissents };
}
