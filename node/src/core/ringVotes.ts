/**
 * The one helper for what members sign for the Ring contract and how a relayer hands it over:
 * compact (EIP-2098) Vote and Membership signatures, ordered by signer as the contract requires,
 * and the argument lists of `Ring.flush`, `Ring.enterByVote` and `Ring.exitByVote`.
 * Typed data comes from `eip712.ts`; nothing here talks to the network.
 */
import { getAddress, recoverAddress, Signature, type Signer, type TypedDataDomain } from "ethers";
import {
  MEMBERSHIP_TYPES,
  membershipDigest,
  outputsHash,
  VOTE_TYPES,
  voteDigest,
  type MembershipMessage,
  type Outputs,
  type VoteMessage,
} from "./eip712.js";

/** Start and end marker of the Ring's member list: the `prevMember` of the first member. */
export const SENTINEL_MEMBERS = "0x0000000000000000000000000000000000000001";

/** Outputs of a round that emits nothing. */
export const NO_OUTPUTS: Outputs = { gate: "0x0000000000000000000000000000000000000000", pins: [], cids: [] };

/** Majority of the Ring contract: signers * 3 >= members * 2. */
export const RING_MAJORITY_NUMERATOR = 2n;
export const RING_MAJORITY_DENOMINATOR = 3n;

/** A 64-byte EIP-2098 signature: `vs` = (v - 27) << 255 | s. */
export interface CompactSignature {
  r: string;
  vs: string;
}

/**
 * A member's vote for a round: its own log head and its compact signature, with the signer it
 * recovers to and the membership epoch it was signed under (it counts only in that epoch).
 */
export interface SignedVote extends CompactSignature {
  signer: string;
  logHead: string;
  membershipEpoch: bigint;
  /** In a BLS ring, next to the ECDSA vote: the 96-byte compressed BLS signature over the round's AggregateVote (core/bls.ts). */
  bls?: Uint8Array;
}

/** An outvoted vote: what the member signed instead of the majority's ring head and outputs. */
export interface SignedDissent extends SignedVote {
  ringNodeHead: string;
  outputsHash: string;
}

/** A member's compact signature on a Membership vote. */
export interface SignedMembership extends CompactSignature {
  signer: string;
}

export class VoteSignatureError extends Error {
  override name = "VoteSignatureError";
}

export class MemberNotListedError extends Error {
  override name = "MemberNotListedError";
}

/** The compact form of a 65-byte (r ‖ s ‖ v) or 64-byte signature. */
export function toCompact(signature: string): CompactSignature {
  const parsed = Signature.from(signature);
  return { r: parsed.r, vs: parsed.yParityAndS };
}

/** Signs `message` as the member behind `signer` (any ethers Signer). */
export async function signVote(signer: Signer, domain: TypedDataDomain, message: VoteMessage): Promise<SignedVote> {
  const signature = await signer.signTypedData(domain, VOTE_TYPES, message);
  return { signer: getAddress(await signer.getAddress()), logHead: message.logHead, membershipEpoch: message.membershipEpoch, ...toCompact(signature) };
}

/** The address that signed `message` with `signature` (65 or 64 bytes, or compact parts). */
export function recoverVoteSigner(domain: TypedDataDomain, message: VoteMessage, signature: string | CompactSignature): string {
  return recoverAddress(voteDigest(domain, message), typeof signature === "string" ? signature : compactToSignature(signature));
}

/**
 * Wraps a vote signed elsewhere (another member's node, a wallet, viem) after checking that it
 * recovers to `expectedSigner` under `domain`.
 */
export function acceptVote(domain: TypedDataDomain, message: VoteMessage, signature: string, expectedSigner: string): SignedVote {
  const signer = recoverVoteSigner(domain, message, signature);
  if (signer !== getAddress(expectedSigner)) {
    throw new VoteSignatureError(`vote signature recovers to ${signer}, not ${getAddress(expectedSigner)}`);
  }
  return { signer, logHead: message.logHead, membershipEpoch: message.membershipEpoch, ...toCompact(signature) };
}

/** Signs a dissenting vote: `message` carries the ring head and outputs hash the member computed. */
export async function signDissent(signer: Signer, domain: TypedDataDomain, message: VoteMessage): Promise<SignedDissent> {
  const vote = await signVote(signer, domain, message);
  return { ...vote, ringNodeHead: message.ringNodeHead, outputsHash: message.outputsHash };
}

/** Signs a Membership vote (admit with `enter = true`, remove with `enter = false`). */
export async function signMembership(signer: Signer, domain: TypedDataDomain, message: MembershipMessage): Promise<SignedMembership> {
  const signature = await signer.signTypedData(domain, MEMBERSHIP_TYPES, message);
  return { signer: getAddress(await signer.getAddress()), ...toCompact(signature) };
}

/** The address that signed a Membership vote. */
export function recoverMembershipSigner(domain: TypedDataDomain, message: MembershipMessage, signature: string | CompactSignature): string {
  return recoverAddress(membershipDigest(domain, message), typeof signature === "string" ? signature : compactToSignature(signature));
}

/** A copy of `items` ascending by signer address, as the contract requires. */
export function orderBySigner<T extends { signer: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => {
    const left = BigInt(a.signer);
    const right = BigInt(b.signer);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

/** The smallest number of signers that passes a vote in a ring of `memberCount`: ceil(2n / 3), at least 1. */
export function requiredVotes(memberCount: number | bigint): number {
  const n = BigInt(memberCount);
  const required = (n * RING_MAJORITY_NUMERATOR + RING_MAJORITY_DENOMINATOR - 1n) / RING_MAJORITY_DENOMINATOR;
  return Number(required === 0n ? 1n : required);
}

/** What a flush needs besides the votes' order. */
export interface FlushInput {
  round: bigint;
  ringNodeHead: string;
  outputs: Outputs;
  votes: readonly SignedVote[];
  dissents?: readonly SignedDissent[];
}

/** The argument list of `Ring.flush(round, ringNodeHead, outputs, votes, dissents)`, votes ordered by signer. */
export function flushArgs(input: FlushInput) {
  const votes = orderBySigner(input.votes).map(({ logHead, r, vs }) => ({ logHead, r, vs }));
  const dissents = orderBySigner(input.dissents ?? []).map(({ ringNodeHead, outputsHash: hash, logHead, r, vs }) => ({
    ringNodeHead,
    outputsHash: hash,
    logHead,
    r,
    vs,
  }));
  const outputs = { gate: input.outputs.gate, pins: [...input.outputs.pins], cids: [...input.outputs.cids] };
  return [input.round, input.ringNodeHead, outputs, votes, dissents] as const;
}

/** The Vote message every member signs for a round under `membershipEpoch` (its own `logHead` aside). */
export function voteMessage(round: bigint, membershipEpoch: bigint, ringNodeHead: string, outputs: Outputs, logHead: string): VoteMessage {
  return { round, membershipEpoch, ringNodeHead, outputsHash: outputsHash(outputs), logHead };
}

/** Membership signatures ordered by signer, in the contract's `Signature[]` shape. */
export function membershipSignatures(signed: readonly SignedMembership[]): CompactSignature[] {
  return orderBySigner(signed).map(({ r, vs }) => ({ r, vs }));
}

/** The `prevMember` argument for removing `member`, given `Ring.members()` in list order. */
export function previousMember(members: readonly string[], member: string): string {
  const index = members.findIndex((candidate) => getAddress(candidate) === getAddress(member));
  if (index < 0) throw new MemberNotListedError(`${member} is not in the member list`);
  return index === 0 ? SENTINEL_MEMBERS : getAddress(members[index - 1] as string);
}

function compactToSignature(signature: CompactSignature): string {
  return Signature.from({ r: signature.r, yParityAndS: signature.vs }).serialized;
}
