/**
 * RingFactory (contracts/RingFactory.sol) as the dashboard reads it: the rings and replica rings it
 * created. Human-readable; the ABI test checks every fragment against the compiled artifact.
 */
import { Interface } from "ethers";

export const RING_FACTORY_ABI = [
  "function rings() view returns (address[])",
  "function replicaRings() view returns (address[])",
  "function replicaRingOf(address ring) view returns (address)",
  "function isRing(address account) view returns (bool)",
] as const;

export const ringFactoryInterface = new Interface(RING_FACTORY_ABI);
