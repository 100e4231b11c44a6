/**
 * The one place for the EIP-712 typed data that members sign and the contracts verify.
 * Domain: name "Rings", version "1", the chain id and the Ring contract's address, so a
 * signature is bound to one ring on one chain.
 */
import { AbiCoder, keccak256, TypedDataEncoder, type TypedDataDomain, type TypedDataField } from "ethers";

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

/** A compound action: a member's vote for a round, paired with its own log head. */
export const VOTE_TYPES: Record<string, TypedDataField[]> = {
  Vote: [
    { name: "round", type: "uint64" },
    { name: "ringNodeHead", type: "bytes32" },
    { name: "outputsHash", type: "bytes32" },
    { name: "logHead", type: "bytes32" },
  ],
};

/** A members' vote to admit (`enter = true`) or remove (`enter = false`) a member. */
export const MEMBERSHIP_TYPES: Record<string, TypedDataField[]> = {
  Membership: [
    { name: "enter", type: "bool" },
    { name: "member", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export interface LogNodeMessage { seq: bigint; digest: string }
export interface VoteMessage { round: bigint; ringNodeHead: string; outputsHash: string; logHead: string }
export interface MembershipMessage { enter: boolean; member: string; nonce: bigint; deadline: bigint }

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

export function membershipDigest(domain: TypedDataDomain, message: MembershipMessage): string {
  return TypedDataEncoder.hash(domain, MEMBERSHIP_TYPES, message);
}
