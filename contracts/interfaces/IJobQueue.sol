// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// The ring, its sequence number and the submitter are what members and clients filter by.
// solhint-disable gas-indexed-events

/**
 * @title IJobQueue - jobs queued on chain for a ring whose members may all be offline.
 * @author Rings
 * @notice A client queues a job for a ring by the digest of its spec's CID (a dag-cbor block on
 *         IPFS that names the job's code and inputs, held by the submitter or a replica ring). The
 *         ring's member nodes read the `JobQueued` events from the deployment block on, take each
 *         job into a member's log in sequence order and finalise it through the ring's rounds;
 *         members that start later catch up from the same events.
 * @dev The queue holds no job state beyond each ring's counter: the event is the record, and the
 *      members' logs and the ring's flushes say what became of a job.
 */
interface IJobQueue {
    /// @notice `submitter` queued the job whose spec block has CID digest `specDigest` for `ring`;
    ///         it is that ring's `sequence`-th queued job (from 1).
    /// @param ring The ring that is to run the job.
    /// @param sequence The job's place in `ring`'s queue, from 1, without gaps.
    /// @param submitter Who queued it.
    /// @param specDigest The sha2-256 digest of the job spec block (a dag-cbor CIDv1).
    event JobQueued(address indexed ring, uint64 indexed sequence, address indexed submitter, bytes32 specDigest);

    /// @notice The zero address cannot run jobs.
    error ZeroRing();

    /// @notice A zero digest names no spec block.
    error EmptySpec();

    /// @notice Queues the job with spec digest `specDigest` for `ring`.
    /// @param ring The ring that is to run the job.
    /// @param specDigest The sha2-256 digest of the job spec block.
    /// @return sequence The job's place in `ring`'s queue (from 1).
    function submitJob(address ring, bytes32 specDigest) external returns (uint64 sequence);

    /// @notice How many jobs have been queued for `ring` (the last sequence number given).
    /// @param ring The ring.
    function queued(address ring) external view returns (uint64);
}
