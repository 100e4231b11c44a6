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

    /// @notice The ring head of `round` is archived for good: `round` is the first round flushed in its
    ///         span [k * CHECKPOINT_FREQUENCY, (k + 1) * CHECKPOINT_FREQUENCY), k >= 1 (with no skipped
    ///         rounds, exactly the multiples of CHECKPOINT_FREQUENCY).
    /// @param round The ring round.
    /// @param ringNodeHead Digest of the round's ring log node.
    event Checkpointed(uint64 indexed round, bytes32 ringNodeHead);

    /// @notice The ring log of `round` is not held: the round was never flushed, or it is older
    ///         than the recent window and was not archived (see {Checkpointed}).
    error RingLogUnavailable(uint256 round);

    /// @notice The span length: the first ring head flushed in each span of this many rounds is
    ///         archived, and the heads of the last this many rounds are kept.
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

    /// @notice The ring head flushed for `round`: held forever if `round` was archived (the first round
    ///         flushed in its span of CHECKPOINT_FREQUENCY rounds, see {Checkpointed}), else while it
    ///         is in the recent window: round() - `round` < CHECKPOINT_FREQUENCY.
    /// @dev Answers from the archive when it holds a non-zero head for `round`, else from the recent
    ///      window; reverts with {RingLogUnavailable} if neither holds `round` (also for round 0, a
    ///      skipped round, or one after round()).
    /// @param round The ring round.
    function ringLog(uint256 round) external view returns (bytes32);
}
