// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IJobQueue} from "./interfaces/IJobQueue.sol";

/**
 * @title JobQueue - one queue for every ring: a per-ring counter and an event per queued job.
 * @author Rings
 * @notice Anyone may queue a job for any ring; only that ring's members act on it, and a job is
 *         only as good as its spec (members refuse specs they cannot fetch or decode, finalising
 *         nothing for them). Deployed once beside the factory (deploy/modules/Rings.ts).
 * @dev One shared contract, not one per ring: rings are clones and need no change, and a client
 *      needs one address. A queued job costs one warm-or-cold counter write (5,000 / 22,100 gas)
 *      and one log with four topics; the spec itself stays on IPFS, so the cost does not grow
 *      with the job.
 */
contract JobQueue is IJobQueue {
    mapping(address ring => uint64 count) private _queued;

    /// @inheritdoc IJobQueue
    function submitJob(address ring, bytes32 specDigest) external returns (uint64 sequence) {
        if (ring == address(0)) revert ZeroRing();
        if (specDigest == bytes32(0)) revert EmptySpec();
        sequence = _queued[ring] + 1;
        _queued[ring] = sequence;
        emit JobQueued(ring, sequence, msg.sender, specDigest);
    }

    /// @inheritdoc IJobQueue
    function queued(address ring) external view returns (uint64) {
        return _queued[ring];
    }
}
