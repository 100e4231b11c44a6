/**
 * RingFactory (contracts/RingFactory.sol) as the node uses it: the rings and replica rings it
 * created (dashboard, `ring info`) `createRing`, `createPublicRing` (`ring-node ring create [--public]`) and
 * `createReplicaRingWithPeriod` (`ring-node replica create`). Human-readable; the
 * ABI test checks every fragment against the compiled artifact.
 */
import { Interface } from "ethers";
import { RING_ERRORS } from "./ringErrors.js";

export const RING_FACTORY_ABI = [
  "function rings() view returns (address[])",
  "function replicaRings() view returns (address[])",
  "function replicaRingOf(address ring) view returns (address)",
  "function isRing(address account) view returns (bool)",
  "function ringImplementation() view returns (address)",
  "function createRing(address[] members, address owner) returns (address ring)",
  "function createBlsRing(address[] members, address owner) returns (address ring)",
  "function createPublicRing(address[] members, address owner, bool bls) returns (address ring)",
  "function isPublic(address ring) view returns (bool)",
  "function createReplicaRingWithPeriod(address[] members, address owner, uint256 fee, uint64 period) returns (address ring, address replicaRing)",
  "function DEFAULT_REPLICA_PERIOD() view returns (uint64)",
  "event RingCreated(address indexed ring, address indexed owner, address[] members)",
  "event ReplicaRingCreated(address indexed replicaRing, address indexed ring, uint256 fee)",
] as const;

/** The factory's functions and events, and the errors of the Ring it initialises (they bubble up). */
export const ringFactoryInterface = new Interface([...RING_FACTORY_ABI, ...RING_ERRORS]);
