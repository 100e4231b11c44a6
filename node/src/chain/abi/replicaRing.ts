/**
 * The ReplicaRing contract (contracts/interfaces/IReplicaRing.sol) as the node uses it, as a
 * human-readable ABI; the ABI test checks every fragment against the compiled artifact.
 */
import { Interface } from "ethers";

export const REPLICA_RING_ABI = [
  "function ring() view returns (address)",
  "function fee() view returns (uint256)",
  "function deposit(address account) payable",
  "function creditOf(address account) view returns (uint256)",
  "function register(address clientRing, bytes32 replicaKeyCommitment)",
  "function isRegistered(address clientRing) view returns (bool)",
  "function replicaKeyCommitmentOf(address clientRing) view returns (bytes32)",
  "function registrations() view returns (address[])",
  "event RingRegistered(address indexed clientRing, address indexed registrant, uint256 fee)",
  "error UnknownRing(address clientRing)",
  "error NotAClientMember(address account, address clientRing)",
  "error AlreadyRegistered(address clientRing)",
  "error ZeroKeyCommitment(address clientRing)",
  "error InsufficientCredit(address account, uint256 credit, uint256 needed)",
] as const;

export const replicaRingInterface = new Interface(REPLICA_RING_ABI);
