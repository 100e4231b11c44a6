/**
 * The Ring contract's (and a BlsRing's key) events as the node sees them: decoded from a raw log into a typed record,
 * addresses checksummed and PeerIds in their string form.
 */
import { peerIdFromMultihash } from "@libp2p/peer-id";
import { hexlify, type Log } from "ethers";
import * as Digest from "multiformats/hashes/digest";
import { checksumAddress } from "../core/secp256k1.js";
import { blsRingInterface } from "./abi/blsRing.js";

export type RingEvent =
  | { type: "MemberEntered"; member: string }
  | { type: "MemberExited"; member: string }
  | { type: "NodeInfoSet"; member: string; multiaddr: string; peerId: string | null }
  | { type: "LogHeadUpdated"; member: string; head: string }
  | { type: "Flushed"; round: bigint; ringNodeHead: string; outputsHash: string; relayer: string }
  | { type: "ForkProven"; member: string; seq: bigint; digestA: string; digestB: string }
  /** BlsRing only: a member's key was registered as key `index`, or removed from it. */
  | { type: "BlsKeyRegistered" | "BlsKeyRemoved"; member: string; index: bigint };

export type RingEventRecord = RingEvent & { blockNumber: number; transactionHash: string };

export type RingEventListener = (event: RingEventRecord) => void;

/** A PeerId published on chain (multihash bytes) as its string form, or null. */
export function peerIdFromChainBytes(bytes: string | Uint8Array): string | null {
  const hex = typeof bytes === "string" ? bytes : hexlify(bytes);
  if (hex === "0x") return null;
  try {
    return peerIdFromMultihash(Digest.decode(Buffer.from(hex.slice(2), "hex"))).toString();
  } catch {
    return null;
  }
}

/** The event a Ring log carries, or null for a log that is not one of the events above. */
export function ringEventOf(log: Log): RingEventRecord | null {
  const event = decode(log);
  return event === null ? null : { ...event, blockNumber: log.blockNumber, transactionHash: log.transactionHash };
}

function decode(log: Log): RingEvent | null {
  // The BlsRing's interface is the Ring's plus its own events: one decoder for both kinds of ring.
  const parsed = blsRingInterface.parseLog(log);
  if (parsed === null) return null;
  const args = parsed.args;
  switch (parsed.name) {
    case "MemberEntered":
    case "MemberExited":
      return { type: parsed.name, member: checksumAddress(args.member as string) };
    case "NodeInfoSet":
      return { type: "NodeInfoSet", member: checksumAddress(args.member as string), multiaddr: args.multiaddr as string, peerId: peerIdFromChainBytes(args.peerId as string) };
    case "LogHeadUpdated":
      return { type: "LogHeadUpdated", member: checksumAddress(args.member as string), head: args.head as string };
    case "Flushed":
      return { type: "Flushed", round: args.round as bigint, ringNodeHead: args.ringNodeHead as string, outputsHash: args.outputsHash as string, relayer: checksumAddress(args.relayer as string) };
    case "ForkProven":
      return { type: "ForkProven", member: checksumAddress(args.member as string), seq: args.seq as bigint, digestA: args.digestA as string, digestB: args.digestB as string };
    case "BlsKeyRegistered":
    case "BlsKeyRemoved":
      return { type: parsed.name, member: checksumAddress(args.member as string), index: args.index as bigint };
    default:
      return null;
  }
}
