/**
 * What the relayer keeps of a member's answer: a vote or dissent only if its signature recovers
 * to that member over the proposal under the membership epoch the relayer asked with. A member's
 * claim of who signed is not enough (the contract recovers the signer), and a vote that verifies
 * under another epoch would not count on chain. Pure: no network, no clock.
 */
import { getAddress, type TypedDataDomain } from "ethers";
import type { Outputs } from "../core/eip712.js";
import { recoverVoteSigner, voteMessage, type SignedDissent, type SignedVote } from "../core/ringVotes.js";
import type { RoundsAnswer } from "./roundsProtocol.js";

/** The proposal the relayer asked about, under the epoch it asked with. */
export interface AskedVote {
  domain: TypedDataDomain;
  round: bigint;
  membershipEpoch: bigint;
  ringNodeHead: string;
  /** The Merkle root of the ring log node's member heads (core/headsMerkle.ts): a BLS ring signs it. */
  headsRoot: string;
  outputs: Outputs;
}

export type KeptAnswer = { kind: "vote"; vote: SignedVote } | { kind: "dissent"; dissent: SignedDissent } | null;

/** The answer's vote or dissent, tagged with the asked epoch, if it is `member`'s signature over what was asked. */
export function keptAnswer(asked: AskedVote, member: string, answer: RoundsAnswer): KeptAnswer {
  if (answer.kind === "vote") {
    const { logHead, r, vs } = answer.vote;
    const message = voteMessage(asked.round, asked.membershipEpoch, asked.ringNodeHead, asked.outputs, logHead);
    if (!signedBy(asked.domain, message, { r, vs }, member)) return null;
    return { kind: "vote", vote: { signer: getAddress(member), logHead, r, vs, membershipEpoch: asked.membershipEpoch } };
  }
  if (answer.kind === "dissent") {
    const { logHead, r, vs, ringNodeHead, outputsHash } = answer.dissent;
    const message = { round: asked.round, membershipEpoch: asked.membershipEpoch, ringNodeHead, outputsHash, logHead };
    if (!signedBy(asked.domain, message, { r, vs }, member)) return null;
    return { kind: "dissent", dissent: { signer: getAddress(member), logHead, r, vs, ringNodeHead, outputsHash, membershipEpoch: asked.membershipEpoch } };
  }
  return null;
}

function signedBy(domain: TypedDataDomain, message: Parameters<typeof recoverVoteSigner>[1], signature: { r: string; vs: string }, member: string): boolean {
  try {
    return recoverVoteSigner(domain, message, signature) === getAddress(member);
  } catch {
    return false;
  }
}
