/**
 * The state of every membership motion, from the entries found in members' logs: whether it can
 * still pass (current epoch, before its deadline, admitting a non-member who proved its key, or
 * removing a member) and which members signed it. A vote counts only if it recovers to the member
 * whose log holds it and that member is one now. Pure: the chain view's state and the entries in.
 */
import type { TypedDataDomain } from "ethers";
import { candidacyDigest } from "../core/eip712.js";
import { recoverMembershipSigner, requiredVotes } from "../core/ringVotes.js";
import { recoverAddress } from "ethers";
import { motionKey, type Motion, type ProposalEntry, type VoteEntry } from "./entries.js";

export interface RingState {
  domain: TypedDataDomain;
  members: readonly string[];
  membershipEpoch: bigint;
  /** Unix seconds. */
  now: bigint;
}

export interface CountedVote {
  signer: string;
  r: string;
  vs: string;
}

export interface MotionState extends Motion {
  key: string;
  proposer: string;
  /** Null while it can pass; otherwise why not. */
  closed: string | null;
  votes: CountedVote[];
  required: number;
}

/** Why `motion` cannot pass in `ring` (null when it can). */
export function motionProblem(motion: Motion, candidacy: string | undefined, ring: RingState): string | null {
  if (motion.membershipEpoch !== ring.membershipEpoch) return `signed under membership epoch ${motion.membershipEpoch}, the ring is at ${ring.membershipEpoch}`;
  if (motion.deadline < ring.now) return `its deadline ${motion.deadline} has passed`;
  const isMember = ring.members.includes(motion.member);
  if (!motion.enter) return isMember ? null : `${motion.member} is not a member`;
  if (isMember) return `${motion.member} is a member already`;
  if (candidacy === undefined) return `no candidacy signature of ${motion.member}`;
  try {
    const signer = recoverAddress(candidacyDigest(ring.domain, { member: motion.member, membershipEpoch: motion.membershipEpoch }), candidacy);
    return signer === motion.member ? null : `the candidacy is signed by ${signer}, not ${motion.member}`;
  } catch {
    return "the candidacy signature is malformed";
  }
}

export function tallyMotions(proposals: ReadonlyArray<{ author: string; entry: ProposalEntry }>, votes: ReadonlyArray<{ author: string; entry: VoteEntry }>, ring: RingState): MotionState[] {
  const motions = new Map<string, MotionState>();
  for (const { author, entry } of proposals) {
    const key = motionKey(entry);
    if (motions.has(key) || !ring.members.includes(author)) continue;
    const { type: _type, candidacy, ...motion } = entry;
    motions.set(key, { ...motion, key, proposer: author, closed: motionProblem(motion, candidacy, ring), votes: [], required: requiredVotes(ring.members.length) });
  }
  for (const { author, entry } of votes) {
    const state = motions.get(motionKey(entry));
    if (state === undefined || !ring.members.includes(author) || state.votes.some((vote) => vote.signer === author)) continue;
    let signer: string;
    try {
      signer = recoverMembershipSigner(ring.domain, { enter: state.enter, member: state.member, membershipEpoch: state.membershipEpoch, deadline: state.deadline }, { r: entry.r, vs: entry.vs });
    } catch {
      continue;
    }
    if (signer === author) state.votes.push({ signer, r: entry.r, vs: entry.vs });
  }
  return [...motions.values()];
}

/** A motion as JSON (epoch and deadline as decimal strings), as the control endpoint answers. */
export function motionToJson(state: MotionState): Record<string, unknown> {
  return { ...state, membershipEpoch: state.membershipEpoch.toString(), deadline: state.deadline.toString(), votes: state.votes.map((vote) => vote.signer) };
}
