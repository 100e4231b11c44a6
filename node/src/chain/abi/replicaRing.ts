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
  "function period() view returns (uint64)",
  "function expiresAt(address clientRing) view returns (uint64)",
  "function renew(address clientRing, uint64 periods) returns (uint64)",
  "function expire(address clientRing)",
  "function setEndpoint(string url)",
  "function endpointOf(address member) view returns (string)",
  "function MAX_ENDPOINT_BYTES() view returns (uint256)",
  "event EndpointSet(address indexed member, string url)",
  "event RegistrationRenewed(address indexed clientRing, address indexed payer, uint64 periods, uint64 expiresAt)",
  "event RegistrationExpired(address indexed clientRing, uint64 expiresAt)",
  "event RingRegistered(address indexed clientRing, address indexed registrant, uint256 fee)",
  "error UnknownRing(address clientRing)",
  "error NotAClientMember(address account, address clientRing)",
  "error AlreadyRegistered(address clientRing)",
  "error ZeroKeyCommitment(address clientRing)",
  "error InsufficientCredit(address account, uint256 credit, uint256 needed)",
  "error NotRegistered(address clientRing)",
  "error NotExpired(address clientRing, uint64 expiresAt)",
  "error LapseAlreadyAnnounced(address clientRing, uint64 expiresAt)",
  "error NotAReplicaMember(address account)",
  "error EndpointTooLong(uint256 length, uint256 max)",
] as const;

export const replicaRingInterface = new Interface(REPLICA_RING_ABI);
