/**
 * A BlsRing's own functions, events and errors (contracts/interfaces/IBlsRing.sol and
 * IBlsKeyRegistry.sol) beside the Ring's: key registration with a proof of possession, the key
 * registry's reads, `flushAggregate`, its heads root and `proveHead`. `blsRingInterface` is the whole BlsRing (a superset of the
 * Ring's interface). The ABI test checks every fragment against the compiled BlsRing.
 */
import { Interface } from "ethers";
import { RING_ABI } from "./ring.js";
import { RING_ERRORS } from "./ringErrors.js";

const G1 = "(uint256 xHi, uint256 xLo, uint256 yHi, uint256 yLo)";

export const BLS_RING_ABI = [
  `function registerBlsKey(${G1} key, uint256[8] proofOfPossession)`,
  "function blsKeyCount() view returns (uint256)",
  `function blsKeyOf(address member) view returns (bool registered, uint256 index, ${G1} key)`,
  "function blsKeyHolder(uint256 index) view returns (address)",
  `function aggregateBlsKey() view returns (${G1})`,
  "function aggregateVoteDigest(uint64 round, uint64 membershipEpoch, bytes32 ringNodeHead, bytes32 headsRoot_, bytes32 outputsHash) view returns (bytes32)",
  `function flushAggregate(uint64 newRound, bytes32 newRingNodeHead, bytes32 headsRoot_, (address gate, uint96[] pins, bytes32[] cids) outputs, (uint256[] signerBitmap, ${G1}[] nonSignerKeys, uint256[8] signature) aggregate, (bytes32 ringNodeHead, bytes32 outputsHash, bytes32 logHead, bytes32 r, bytes32 vs)[] dissents)`,
  "function proveHead(address member, uint64 atRound, bytes32 head, bytes32[] proof)",
  "function headsRoot() view returns (bytes32 root, uint64 atRound)",
  `event BlsKeyRegistered(address indexed member, uint256 index, ${G1} key)`,
  "event BlsKeyRemoved(address indexed member, uint256 index)",
  "event AggregateAgreed(uint64 indexed round, bytes32 headsRoot, uint256[] signerBitmap)",
] as const;

export const BLS_RING_ERRORS = [
  "error NotABlsRegistrant(address account)",
  "error BlsKeyAlreadyRegistered(address member)",
  "error BlsKeyTaken(bytes32 keyHash)",
  "error PublicKeyAtInfinity()",
  "error PublicKeyNotOnCurve()",
  "error PublicKeyNotInSubgroup()",
  "error SignatureAtInfinity()",
  "error SignatureNotOnCurve()",
  "error SignatureNotInSubgroup()",
  "error InvalidProofOfPossession(address member)",
  "error SignerBitmapLengthMismatch(uint256 length, uint256 expected)",
  "error SignerNotRegistered(uint256 index)",
  "error NonSignerKeysLengthMismatch(uint256 given)",
  "error NonSignerKeyMismatch(uint256 index)",
  "error InsufficientSigners(uint256 signers, uint256 required)",
  "error AggregateKeyAtInfinity()",
  "error InvalidAggregateSignature()",
  "error StaleHeadProof(uint64 round, uint64 rootRound)",
  "error InvalidHeadProof(address member, bytes32 head)",
  "error HeadAlreadyCurrent(address member, uint64 round)",
] as const;

/** The BlsRing's functions, events and custom errors: the Ring's and its own. */
export const blsRingInterface = new Interface([...RING_ABI, ...BLS_RING_ABI, ...RING_ERRORS, ...BLS_RING_ERRORS]);
