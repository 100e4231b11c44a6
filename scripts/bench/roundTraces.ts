/**
 * Reading `bench:rounds`' numbers out of the members' round traces (RING_NODE_TRACE_ROUNDS=1,
 * roundsTrace.ts step names): each round's latency and where its time goes.
 */
import type { RoundsRing } from "../devnet/roundsRing.js";

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/**
 * Each round's own latency, from the members' round traces: the first "propose start" of round r
 * (a relayer begins the round: reduce, proposal, votes) until its flush is mined.
 */
export function roundTimes(world: RoundsRing, fromRound: number): number[] {
  const starts = new Map<number, number>();
  const ends = new Map<number, number>();
  for (const member of world.members) {
    for (const line of member.node?.logs ?? []) {
      if (line.msg !== "rounds trace" || typeof line.round !== "number" || typeof line.at !== "number") continue;
      if (line.step === "propose start") starts.set(line.round, Math.min(starts.get(line.round) ?? Infinity, line.at));
      if (line.step === "flush mined") ends.set(line.round, line.at);
    }
  }
  const times: number[] = [];
  for (const [round, end] of ends) {
    const start = starts.get(round);
    if (round >= fromRound && start !== undefined) times.push(end - start);
  }
  return times;
}

/**
 * A round split into phases from the trace of the member that flushed it (roundsTrace.ts names):
 * reduce + proposal, until the first vote request leaves, until the answers a 2/3 quorum needs are
 * in, until the flush starts (the grace for the other reachable members' answers), the flush.
 */
const PHASES = [
  "reduce + proposal built and logged",
  "proposal logged -> first vote asked",
  "first vote asked -> quorum of answers",
  "quorum -> flush start (grace for the rest)",
  "flush: estimate, send, mine, receipt",
] as const;

/** Median ms a member takes from receiving a vote request to its answer (its checks, reduce and signature). */
function memberAnswerMs(world: RoundsRing, fromRound: number): number {
  const times: number[] = [];
  for (const member of world.members) {
    const requested = new Map<number, number>();
    for (const line of member.node?.logs ?? []) {
      if (line.msg !== "rounds trace" || typeof line.round !== "number" || typeof line.at !== "number" || line.round < fromRound) continue;
      if (line.step === "vote request" && !requested.has(line.round)) requested.set(line.round, line.at);
      const start = requested.get(line.round);
      if (line.step === "vote answered" && line.kind === "vote" && start !== undefined) {
        times.push(line.at - start);
        requested.delete(line.round);
      }
    }
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

/** Median ms of each phase over the rounds from `fromRound`. */
export function roundPhases(world: RoundsRing, fromRound: number): Array<{ phase: string; p50Ms: number }> {
  const durations = PHASES.map(() => [] as number[]);
  const members = world.members.length;
  // Answers the relayer needs besides its own vote for count * 3 >= members * 2.
  const needed = Math.ceil((members * 2) / 3) - 1;
  for (const member of world.members) {
    const rounds = new Map<number, { first: Map<string, number>; answers: number[] }>();
    for (const line of member.node?.logs ?? []) {
      if (line.msg !== "rounds trace" || typeof line.round !== "number" || typeof line.at !== "number" || typeof line.step !== "string") continue;
      const round = rounds.get(line.round) ?? { first: new Map<string, number>(), answers: [] };
      if (!round.first.has(line.step)) round.first.set(line.step, line.at);
      if (line.step === "answer") round.answers.push(line.at);
      rounds.set(line.round, round);
    }
    for (const [round, { first, answers }] of rounds) {
      const at = (step: string) => first.get(step);
      const quorum = needed === 0 ? at("vote asked") : answers.sort((x, y) => x - y)[needed - 1];
      const marks = [at("propose start"), at("proposal appended"), at("vote asked"), quorum, at("flush start"), at("flush mined")];
      if (round < fromRound || marks.some((mark) => mark === undefined)) continue;
      PHASES.forEach((_, i) => durations[i]?.push((marks[i + 1] as number) - (marks[i] as number)));
    }
  }
  const phases = PHASES.map((phase, i): { phase: string; p50Ms: number } => ({ phase, p50Ms: Math.round(percentile((durations[i] ?? []).sort((x, y) => x - y), 50) * 10) / 10 }));
  phases.splice(3, 0, { phase: "  (of which a member: vote request -> its answer)", p50Ms: Math.round(memberAnswerMs(world, fromRound) * 10) / 10 });
  return phases;
}

