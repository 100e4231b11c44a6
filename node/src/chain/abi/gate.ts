/**
 * The Gate contract (contracts/Gate.sol) as the node uses it: a named ring's latest output on one
 * of its pins (a job's input taken from that ring's result; pins are keyed by the ring that writes
 * them), the Output event a flush emits, and the RingAuthorized event naming the rings the Gate
 * admits (a member serves its blocks to those rings' members). Human-readable; the
 * ABI test checks every fragment against the compiled artifact.
 */
import { Interface } from "ethers";

export const GATE_ABI = [
  "function latest(address ring, uint96 pin) view returns (uint256 tokenId, uint64 sequence)",
  "event Output(uint96 indexed pin, uint256 indexed tokenId, address indexed ring, uint64 sequence)",
  "event RingAuthorized(address indexed ring, bool authorized)",
] as const;

export const gateInterface = new Interface(GATE_ABI);
