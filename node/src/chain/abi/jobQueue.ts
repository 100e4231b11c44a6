/**
 * The JobQueue contract (contracts/JobQueue.sol) as the node uses it: queue a job for a ring, count
 * a ring's queued jobs, and the JobQueued event members catch up from. Human-readable; the ABI
 * test checks every fragment against the compiled artifact.
 */
import { Interface } from "ethers";

export const JOB_QUEUE_ABI = [
  "function submitJob(address ring, bytes32 specDigest) returns (uint64 sequence)",
  "function queued(address ring) view returns (uint64)",
  "event JobQueued(address indexed ring, uint64 indexed sequence, address indexed submitter, bytes32 specDigest)",
  "error ZeroRing()",
  "error EmptySpec()",
] as const;

export const jobQueueInterface = new Interface(JOB_QUEUE_ABI);
