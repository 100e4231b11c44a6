/**
 * Who computes which shard (interim, until node/src/compute/plan.ts lands): shard s of job J is
 * offered to the members (in chain order) rotated by sha256(J) + s; the first `redundancy` take it,
 * and each shard timeout without a majority adds the next member who has not answered yet. A result
 * wins when floor(redundancy / 2) + 1 members agree on its CID.
 */
import { sha256 } from "@noble/hashes/sha256";
import type { CID } from "multiformats/cid";
import type { JobShape, ShardMajority, ShardVote } from "./jobCompute.js";

function offset(job: CID): number {
  const digest = sha256(job.bytes);
  return ((digest[0] as number) << 24 | (digest[1] as number) << 16 | (digest[2] as number) << 8 | (digest[3] as number)) >>> 0;
}

export function assignees(job: CID, shape: JobShape, members: readonly string[], shard: number, answered: ReadonlySet<string>, attempts: number): string[] {
  const n = members.length;
  if (n === 0) return [];
  const start = (offset(job) + shard) % n;
  const order = Array.from({ length: n }, (_, i) => members[(start + i) % n] as string);
  const first = order.slice(0, Math.min(n, shape.redundancy));
  const extra = order.slice(first.length).filter((member) => !answered.has(member)).slice(0, attempts);
  return [...first, ...extra];
}

export function majorityNeeded(shape: JobShape): number {
  return Math.floor(shape.redundancy / 2) + 1;
}

export function majority(shape: JobShape, votes: readonly ShardVote[]): ShardMajority | null {
  const groups = new Map<string, { result: CID; members: string[] }>();
  for (const vote of votes) {
    const key = vote.result.toString();
    const group = groups.get(key) ?? { result: vote.result, members: [] };
    group.members.push(vote.member);
    groups.set(key, group);
  }
  const needed = majorityNeeded(shape);
  // The largest group that reaches the threshold; ties (possible only with redundancy 1 after a
  // reassignment) go to the smaller CID, so every member picks the same one.
  const best = [...groups.entries()]
    .filter(([, group]) => group.members.length >= needed)
    .sort(([ka, a], [kb, b]) => b.members.length - a.members.length || (ka < kb ? -1 : 1))[0]?.[1];
  if (best === undefined) return null;
  return { result: best.result, agreeing: best.members, dissenting: votes.filter((v) => !v.result.equals(best.result)).map((v) => v.member) };
}
