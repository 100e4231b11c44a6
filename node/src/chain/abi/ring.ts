/**
 * The Ring contract (contracts/interfaces/IRing.sol) as the node uses it: every function and event
 * the chain view, the typed reads, the ring writer, the JSON-RPC methods and the dashboard call or
 * decode, as a human-readable ABI so the node runs without generated types. The ABI test
 * (test/node/chain/abi.test.ts) checks every fragment against the compiled artifact.
 */
import { Interface } from "ethers";
import { RING_ERRORS } from "./ringErrors.js";

export const RING_ABI = [
  // Membership
  "function members() view returns (address[])",
  "function memberCount() view returns (uint256)",
  "function isMember(address account) view returns (bool)",
  "function owner() view returns (address)",
  "function requiredVotes() view returns (uint256)",
  "function membershipEpoch() view returns (uint64)",
  "function nodeInfo(address member) view returns (string multiaddr, bytes peerId)",
  "function setNodeInfo(string multiaddr, bytes peerId)",
  "function reputation(address account) view returns (uint64 agreements, uint64 dissents)",
  "function enterByVote(address member, uint64 epoch, uint256 deadline, (bytes32 r, bytes32 vs)[] signatures)",
  "function exitByVote(address prevMember, address member, uint64 epoch, uint256 deadline, (bytes32 r, bytes32 vs)[] signatures)",
  // Logs and rounds
  "function logNodeHeads(address member) view returns (bytes32)",
  "function updateLogHead(bytes32 head)",
  "function ringNodeHead() view returns (bytes32)",
  "function round() view returns (uint64)",
  "function ringLog(uint256 round) view returns (bytes32)",
  "function cidPrefix() pure returns (bytes)",
  "function flush(uint64 round, bytes32 ringNodeHead, (address gate, uint96[] pins, bytes32[] cids) outputs, (bytes32 logHead, bytes32 r, bytes32 vs)[] votes, (bytes32 ringNodeHead, bytes32 outputsHash, bytes32 logHead, bytes32 r, bytes32 vs)[] dissents)",
  "function proveFork(address member, uint64 seq, bytes32 digestA, bytes signatureA, bytes32 digestB, bytes signatureB)",
  // ERC-2771
  "function trustedForwarder() view returns (address)",
  "function isTrustedForwarder(address forwarder) view returns (bool)",
  // Events
  "event MembershipVoted(bool enter, address indexed member, uint64 membershipEpoch)",
  "event MemberEntered(address indexed member)",
  "event MemberExited(address indexed member)",
  "event NodeInfoSet(address indexed member, string multiaddr, bytes peerId)",
  "event LogHeadUpdated(address indexed member, bytes32 head)",
  "event Flushed(uint64 indexed round, bytes32 ringNodeHead, bytes32 outputsHash, address relayer)",
  "event Agreed(uint64 indexed round, address[] members)",
  "event Dissented(address indexed member, uint64 indexed round, bytes32 ringNodeHead, bytes32 outputsHash)",
  "event ForkProven(address indexed member, uint64 seq, bytes32 digestA, bytes32 digestB)",
] as const;

/** The Ring's functions, events and custom errors (a refused call decodes to its error). */
export const ringInterface = new Interface([...RING_ABI, ...RING_ERRORS]);
