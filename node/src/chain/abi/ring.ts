/**
 * The slice of the Ring contract (contracts/interfaces/IRing.sol) the chain view reads, as a
 * human-readable ABI so the node runs without generated types. A test checks every fragment
 * against the compiled artifact.
 */
import { Interface } from "ethers";

export const RING_VIEW_ABI = [
  "function members() view returns (address[])",
  "function memberCount() view returns (uint256)",
  "function isMember(address account) view returns (bool)",
  "function owner() view returns (address)",
  "function nodeInfo(address member) view returns (string multiaddr, bytes peerId)",
  "function setNodeInfo(string multiaddr, bytes peerId)",
  "function reputation(address account) view returns (uint64 agreements, uint64 dissents)",
  "function logNodeHeads(address member) view returns (bytes32)",
  "function ringNodeHead() view returns (bytes32)",
  "function round() view returns (uint64)",
  "function ringLog(uint256 round) view returns (bytes32)",
  "function cidPrefix() pure returns (bytes)",
  "function proveFork(address member, uint64 seq, bytes32 digestA, bytes signatureA, bytes32 digestB, bytes signatureB)",
  "event MemberEntered(address indexed member)",
  "event MemberExited(address indexed member)",
  "event NodeInfoSet(address indexed member, string multiaddr, bytes peerId)",
  "event LogHeadUpdated(address indexed member, bytes32 head)",
  "event Flushed(uint64 indexed round, bytes32 ringNodeHead, bytes32 outputsHash, address relayer)",
  "event ForkProven(address indexed member, uint64 seq, bytes32 digestA, bytes32 digestB)",
] as const;

export const ringViewInterface = new Interface(RING_VIEW_ABI);
