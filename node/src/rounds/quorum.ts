/**
 * The relayer's decision whether to flush a round now: a pure function of the members, the answers
 * collected so far, who is reachable and the clock, so it can be tested alone.
 *
 * A flush needs 2/3 of the members' votes (only members' votes, signed under the ring's current
 * membership epoch, count: the contract verifies every vote under that epoch). With a quorum the relayer
 * still waits up to `DISSENT_GRACE_MS` for the members it can reach, so that their dissents are
 * recorded in the same flush; once everyone reachable has answered, or the grace is over, it flushes.
 */
import { requiredVotes, type SignedDissent, type SignedVote } from "../core/ringVotes.js";

/**
 * How long a relayer with a quorum still waits for the other connected members' answers, so that
 * their dissents are recorded in the same flush. Healthy members answer within tens of ms, so this
 * costs nothing then; a dissenter re-running the reduce on a busy machine can take most of a second.
 */
export const DISSENT_GRACE_MS = 1_500;

export interface QuorumInput {
  /** The members now, in chain order. */
  members: readonly string[];
  isMember: (address: string) => boolean;
  /** The ring's membership epoch now: votes and dissents signed under another one are left out. */
  membershipEpoch: bigint;
  /** Votes by the member who signed them (the relayer's own included). */
  votes: ReadonlyMap<string, SignedVote>;
  dissents: ReadonlyMap<string, SignedDissent>;
  /** Whether the relayer can hear from `member` now (itself, or connected). */
  reachable: (member: string) => boolean;
  /** When the votes first reached the quorum (undefined until they do). */
  quorumAt?: number;
  now: number;
  graceMs?: number;
}

export type FlushDecision =
  /** Fewer than 2/3 of the members voted: keep collecting. */
  | { kind: "collect" }
  /** A quorum, but a reachable member has not answered yet: ask again after `retryInMs`. */
  | { kind: "grace"; quorumAt: number; retryInMs: number }
  /** Flush with these votes and dissents (those of non-members or of another epoch, and dissents of members who voted, left out). */
  | { kind: "flush"; quorumAt: number; votes: SignedVote[]; dissents: SignedDissent[] };

export function flushDecision(input: QuorumInput): FlushDecision {
  const { members, votes, dissents } = input;
  const current = (vote: SignedVote) => input.isMember(vote.signer) && vote.membershipEpoch === input.membershipEpoch;
  const counted = [...votes.values()].filter(current);
  if (counted.length < requiredVotes(members.length)) return { kind: "collect" };
  const graceMs = input.graceMs ?? DISSENT_GRACE_MS;
  const quorumAt = input.quorumAt ?? input.now;
  const answered = members.filter((member) => votes.has(member) || dissents.has(member)).length;
  const reachable = members.filter((member) => input.reachable(member)).length;
  if (answered < reachable && input.now - quorumAt < graceMs) return { kind: "grace", quorumAt, retryInMs: graceMs };
  const recorded = [...dissents.values()].filter((dissent) => current(dissent) && !votes.has(dissent.signer));
  return { kind: "flush", quorumAt, votes: counted, dissents: recorded };
}
