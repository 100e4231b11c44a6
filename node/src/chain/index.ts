/**
 * The chain layer: everything the node says to or reads from the EVM chain goes through here.
 *
 * - ABIs (abi/): one human-readable fragment list per contract, each tested against the compiled
 *   artifacts, so the node needs no generated types.
 * - Reads: `RingChainView` follows one ring (cached, polled, events); `RingReads`,
 *   `ReplicaRingReads`, `RingFactoryReads`, `GateReads`, `JobQueueReads` are typed reads of one contract;
 *   `ChainReads` serves the JSON-RPC methods across rings; `Forwarder` reads the ERC2771Forwarder.
 * - BLS rings: `ringScheme` tells a BlsRing from a Ring, `BlsKeyBook` reads its registered keys.
 * - Writes: `RingWriter` (flush, proveFork; flushAggregate, registerBlsKey) from the member's own account; `RingFactoryWriter`
 *   (createRing) and `JobQueueWriter` (submitJob) from an operator's or client's.
 * - Deployments: `readRingsAddresses` reads what Ignition recorded for a chain.
 * - Bounds: `bounded` (p-timeout with the caller's AbortSignal); errors in errors.ts.
 */
export { BLS_RING_ABI, BLS_RING_ERRORS, blsRingInterface } from "./abi/blsRing.js";
export { BlsKeyBook, MAX_BLS_KEYS, ringScheme, type BlsKeySet, type RegisteredBlsKey, type RingScheme } from "./blsKeys.js";
export { GATE_ABI, gateInterface } from "./abi/gate.js";
export { JOB_QUEUE_ABI, jobQueueInterface } from "./abi/jobQueue.js";
export { REPLICA_RING_ABI, replicaRingInterface } from "./abi/replicaRing.js";
export { RING_ABI, ringInterface } from "./abi/ring.js";
export { RING_ERRORS } from "./abi/ringErrors.js";
export { RING_FACTORY_ABI, ringFactoryInterface } from "./abi/ringFactory.js";
export { FORWARDER_ABI, forwarderInterface } from "./abi/ringsForwarder.js";
export { callAddressWord, ChainReads, type ChainReadOptions } from "./chainReads.js";
export { GateReads, LOG_RANGE, ReplicaRingReads, RingFactoryReads, RingReads, type GateOutput, type ReadOptions, type RingRegistration } from "./contractReads.js";
export { CallRefusedError, ChainCallError, ChainTimeoutError, ChainUnreachableError, ChainWriteTimeoutError, DeploymentNotFoundError, NotARingError, RingNotPublicError, TransactionRevertedError } from "./errors.js";
export { httpUrl, MAX_ENDPOINTS_PER_REPLICA_RING, replicaEndpoints, type ReplicaEndpoint } from "./replicaEndpoints.js";
export { readRingVisibility, writesInTheClear, type RingVisibility } from "./ringVisibility.js";
export { DEFAULT_DEPLOYMENTS_DIR, deployedAddressesFile, readRingsAddresses, RINGS_MODULE_ID, type RingsAddresses } from "./deployment.js";
export { JobQueueReads, JobQueueWriter, type QueuedJob } from "./jobQueue.js";
export { Forwarder, forwarderContract, readForwarderDomain } from "./forwarder.js";
export type { Membership } from "./membership.js";
export { RingChainView, type NodeInfo, type RingChainViewEvents, type RingChainViewOptions } from "./ringChainView.js";
export { peerIdFromChainBytes, ringEventOf, type RingEvent, type RingEventListener, type RingEventRecord } from "./ringEvents.js";
export { connectProvider, type ConnectedProvider, type ConnectOptions } from "./provider.js";
export { checkedSend, refusalReason, type CheckedSend, type SentCall } from "./checkedSend.js";
export { RingFactoryWriter, type CreatedReplicaRing, type CreatedRing } from "./ringFactoryWriter.js";
export { describeRing, type RingDescription, type RingMemberDescription } from "./ringDescription.js";
export { proveForkArgs, RingWriter, type AggregateFlushInput, type MembershipVoteInput, type ForkProof, type SentTransaction, type SignedDigest } from "./ringWriter.js";
export { bounded, CHAIN_TIMEOUT_MS, CHAIN_WRITE_TIMEOUT_MS, waitForReceipt, type BoundOptions, type WaitOptions } from "./wait.js";
