// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IRingLogs - the heads of the members' single-writer logs and the ring's own log.
 * @author Rings
 * @notice CIDs are stored as their 32-byte sha2-256 digest; `cidPrefix()` (CIDv1, dag-cbor,
 *         sha2-256, 32 bytes) rebuilds the full CID: `cidPrefix() ++ digest`.
 */
interface IRingLogs {
    /// @notice `member`'s single-writer log head is now `head` (by a flush, or by the member itself).
    /// @param member The member's address.
    /// @param head Digest (sha2-256, CIDv1 dag-cbor) of the member's latest log node.
    event LogHeadUpdated(address indexed member, bytes32 head);

    /// @notice The ring head of `round` (a multiple of CHECKPOINT_FREQUENCY) is archived for good.
    /// @param round The ring round.
    /// @param ringNodeHead Digest of the round's ring log node.
    event Checkpointed(uint64 indexed round, bytes32 ringNodeHead);

    /// @notice The ring log of `round` is not held: the round was never flushed, or it is older
    ///         than the recent window and not a checkpoint.
    error RingLogUnavailable(uint256 round);

    /// @notice Every CHECKPOINT_FREQUENCY-th ring head is archived; this many recent ones are kept.
    function CHECKPOINT_FREQUENCY() external view returns (uint256); // solhint-disable-line func-name-mixedcase

    /// @notice The multiformats prefix of every CID the ring stores: 0x01711220.
    function cidPrefix() external pure returns (bytes memory);

    /// @notice The digest of `member`'s latest log node agreed on chain (zero before the first).
    /// @param member The member's address.
    function logNodeHeads(address member) external view returns (bytes32);

    /// @notice The digest of the latest ring log node (the ring head of `round()`).
    function ringNodeHead() external view returns (bytes32);

    /// @notice The last flushed round (zero before the first flush).
    function round() external view returns (uint64);

    /// @notice The ring head flushed for `round`: held for the last CHECKPOINT_FREQUENCY rounds
    ///         and, forever, for every round that is a multiple of CHECKPOINT_FREQUENCY.
    /// @dev Reverts with {RingLogUnavailable} for any other round.
    /// @param round The ring round.
    function ringLog(uint256 round) external view returns (bytes32);
}
