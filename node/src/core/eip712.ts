/**
 * The one place for the EIP-712 typed data that members sign and the contracts verify.
 * Domain: name "Rings", version "1", the chain id and the Ring contract's address, so a
 * signature is bound to one ring on one chain.
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { AbiCoder, getBytes, keccak256, toUtf8Bytes, TypedDataEncoder, type TypedDataDomain, type TypedDataField } from "ethers";

export const DOMAIN_NAME = "Rings";
export const DOMAIN_VERSION = "1";

export function ringDomain(chainId: bigint | number, ring: string): TypedDataDomain {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId: BigInt(chainId), verifyingContract: ring };
}

/** A log node's signature: `digest` is sha2-256 of the node's unsigned dag-cbor body. */
export const LOG_NODE_TYPES: Record<string, TypedDataField[]> = {
  LogNode: [
    { name: "seq", type: "uint64" },
    { name: "digest", type: "bytes32" },
  ],
};

/**
 * A compound action: a member's vote for a round, paired with its own log head. `membershipEpoch`
 * is the Ring's `membershipEpoch()` the member saw: the vote counts only while the member list is
 * still that one (every admission and removal moves the epoch on).
 */
export const VOTE_TYPES: Record<string, TypedDataField[]> = {
  Vote: [
    { name: "round", type: "uint64" },
    { name: "membershipEpoch", type: "uint64" },
    { name: "ringNodeHead", type: "bytes32" },
    { name: "outputsHash", type: "bytes32" },
    { name: "logHead", type: "bytes32" },
  ],
};

/**
 * What every member of a BLS ring signs for a round (one message for all, so the signatures
 * aggregate): the ring log node commits each member's head, so no per-member log head is needed.
 */
export const AGGREGATE_VOTE_TYPES: Record<string, TypedDataField[]> = {
  AggregateVote: [
    { name: "round", type: "uint64" },
    { name: "membershipEpoch", type: "uint64" },
    { name: "ringNodeHead", type: "bytes32" },
    { name: "headsRoot", type: "bytes32" },
    { name: "outputsHash", type: "bytes32" },
  ],
};

/** A members' vote to admit (`enter = true`) or remove (`enter = false`) a member, under the current membership epoch. */
export const MEMBERSHIP_TYPES: Record<string, TypedDataField[]> = {
  Membership: [
    { name: "enter", type: "bool" },
    { name: "member", type: "address" },
    { name: "membershipEpoch", type: "uint64" },
    { name: "deadline", type: "uint256" },
  ],
};

/**
 * A candidate's proof that it holds its avatar key: it signs its wish to join the ring under the
 * membership epoch the proposal names. Checked by every member's node before it votes (not on chain).
 */
export const CANDIDACY_TYPES: Record<string, TypedDataField[]> = {
  Candidacy: [
    { name: "member", type: "address" },
    { name: "membershipEpoch", type: "uint64" },
  ],
};

export interface CandidacyMessage { member: string; membershipEpoch: bigint }

export function candidacyDigest(domain: TypedDataDomain, message: CandidacyMessage): string {
  return TypedDataEncoder.hash(domain, CANDIDACY_TYPES, message);
}

export interface LogNodeMessage { seq: bigint; digest: string }
export interface VoteMessage { round: bigint; membershipEpoch: bigint; ringNodeHead: string; outputsHash: string; logHead: string }
/** `headsRoot`: core/headsMerkle.ts root of the ring log node's member heads. */
export interface AggregateVoteMessage { round: bigint; membershipEpoch: bigint; ringNodeHead: string; headsRoot: string; outputsHash: string }
export interface MembershipMessage { enter: boolean; member: string; membershipEpoch: bigint; deadline: bigint }

/** An output the ring emits on a Gate's pins: the gate, its pins and the CIDs (bytes32 digests). */
export interface Outputs { gate: string; pins: bigint[]; cids: string[] }

/** keccak256(abi.encode(address gate, uint96[] pins, bytes32[] cids)) — what `Vote.outputsHash` commits to. */
export function outputsHash(outputs: Outputs): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint96[]", "bytes32[]"], [outputs.gate, outputs.pins, outputs.cids]));
}

export function logNodeDigest(domain: TypedDataDomain, message: LogNodeMessage): string {
  return TypedDataEncoder.hash(domain, LOG_NODE_TYPES, message);
}

export function voteDigest(domain: TypedDataDomain, message: VoteMessage): string {
  return TypedDataEncoder.hash(domain, VOTE_TYPES, message);
}

export function aggregateVoteDigest(domain: TypedDataDomain, message: AggregateVoteMessage): string {
  return TypedDataEncoder.hash(domain, AGGREGATE_VOTE_TYPES, message);
}

export function membershipDigest(domain: TypedDataDomain, message: MembershipMessage): string {
  return TypedDataEncoder.hash(domain, MEMBERSHIP_TYPES, message);
}

const LOG_NODE_TYPEHASH = getBytes(keccak256(toUtf8Bytes("LogNode(uint64 seq,bytes32 digest)")));

/**
 * The EIP-712 LogNode hash with the domain separator computed once: equal to `logNodeDigest`, about
 * 50 times faster, for code that signs or verifies thousands of log nodes under one domain.
 */
export function logNodeHasher(domain: TypedDataDomain): (seq: bigint | number, digest: Uint8Array) => Uint8Array {
  const domainSeparator = getBytes(TypedDataEncoder.hashDomain(domain));
  return (seq, digest) => {
    if (digest.length !== 32) throw new RangeError("LogNode digest must be 32 bytes");
    const struct = new Uint8Array(96);
    struct.set(LOG_NODE_TYPEHASH, 0);
    let value = BigInt(seq);
    if (value < 0n || value >= 1n << 64n) throw new RangeError("LogNode seq must fit in uint64");
    for (let i = 63; value > 0n; i--, value >>= 8n) struct[i] = Number(value & 0xffn);
    struct.set(digest, 64);
    const message = new Uint8Array(66);
    message[0] = 0x19;
    message[1] = 0x01;
    message.set(domainSeparator, 2);
    message.set(keccak_256(struct), 34);
    return keccak_256(message);
  };
}
