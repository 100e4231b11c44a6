// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRingLogs} from "../interfaces/IRingLogs.sol";

/**
 * @title RingLogs - heads of the members' single-writer logs and the ring's own log.
 * @author Rings
 * @notice The ring log keeps the heads of the last CHECKPOINT_FREQUENCY rounds in a fixed ring of
 *         slots indexed by `round % CHECKPOINT_FREQUENCY`, and archives forever the head of the first
 *         round flushed in each span [k * CHECKPOINT_FREQUENCY, (k + 1) * CHECKPOINT_FREQUENCY), k >= 1,
 *         keyed by that round: with no skipped rounds, exactly rounds 100, 200, ...
 * @dev Rounds only have to increase, so some may be skipped. OpenZeppelin's CircularBuffer is
 *      indexed by insertion order, which cannot answer "the head of round r" when rounds skip; a
 *      round-indexed ring of slots can, with each slot tagged by the round it holds (four uint64
 *      tags per word). A flush thus writes one head slot and one tag word, like a CircularBuffer push.
 */
abstract contract RingLogs is IRingLogs {
    /// @inheritdoc IRingLogs
    uint256 public constant CHECKPOINT_FREQUENCY = 100;

    bytes internal constant _CID_PREFIX = hex"01711220";

    /// @dev member => digest of its latest agreed log node.
    mapping(address member => bytes32 head) internal _logNodeHeads;

    /// @dev Recent ring heads by `round % CHECKPOINT_FREQUENCY`.
    bytes32[CHECKPOINT_FREQUENCY] private _recentHeads;

    /// @dev The round each recent slot holds, four uint64 tags per word.
    uint256[CHECKPOINT_FREQUENCY / 4] private _recentRounds;

    /// @dev Archived heads, keyed by round: the first round flushed in each span of CHECKPOINT_FREQUENCY rounds.
    mapping(uint256 round => bytes32 head) private _checkpoints;

    /// @inheritdoc IRingLogs
    uint64 public round;

    /**
     * @dev The membership epoch: one more on every change of the member list (see Ring). Declared
     *      right after `round` so both uint64s share one slot: a flush reads the epoch for its vote
     *      digest from the slot it reads (cold, 2,100 gas) for `round` anyway, so the epoch costs a
     *      flush a warm read (100 gas) instead of a second cold slot, and a membership change writes
     *      a slot that is never zero after the first flush. Kept here, not in MemberManager, for that
     *      shared slot.
     */
    uint64 internal _membershipEpoch;

    /**
     * @dev The round whose member heads' Merkle root a BLS ring holds (BlsRing; 0 in an ECDSA ring).
     *      In the slot of `round` and the epoch, which a flush writes anyway: recording it costs a
     *      BLS flush a warm write of a dirty slot (~100 gas), not a slot of its own (2,900 or more).
     */
    uint64 internal _headsRootRound;

    // `round`, the epoch and `_headsRootRound` are RingLogs' last variables, so MemberManager's first,
    // `_memberCount` (uint32, next in Ring's storage layout), shares their slot: a flush reads the
    // member count for its quorum warm (100 gas) instead of from a cold slot of its own (2,100).

    /// @inheritdoc IRingLogs
    /// @dev The latest round's recent slot: no slot of its own, which a flush would write too (5,000 gas).
    function ringNodeHead() external view returns (bytes32) {
        return _recentHeads[round % CHECKPOINT_FREQUENCY];
    }

    /// @inheritdoc IRingLogs
    function cidPrefix() external pure returns (bytes memory) {
        return _CID_PREFIX;
    }

    /// @inheritdoc IRingLogs
    function logNodeHeads(address member) external view returns (bytes32) {
        return _logNodeHeads[member];
    }

    /// @inheritdoc IRingLogs
    function ringLog(uint256 atRound) external view returns (bytes32) {
        uint64 last = round;
        // solhint-disable-next-line gas-strict-inequalities
        if (atRound != 0 && atRound <= last) {
            bytes32 archived = _checkpoints[atRound];
            if (archived != bytes32(0)) return archived;
            if (last - atRound < CHECKPOINT_FREQUENCY && _recentRoundAt(atRound % CHECKPOINT_FREQUENCY) == atRound) {
                return _recentHeads[atRound % CHECKPOINT_FREQUENCY];
            }
        }
        revert RingLogUnavailable(atRound);
    }

    /**
     * @dev Records `head` as the ring head of `newRound`, and archives it (emitting {Checkpointed}) when
     *      `newRound` opens a new span of CHECKPOINT_FREQUENCY rounds, i.e. lies in another span than
     *      `lastRound`. The caller checked that `newRound` > `lastRound` and passes `lastRound` = round().
     */
    function _appendRingNode(uint64 lastRound, uint64 newRound, bytes32 head) internal {
        round = newRound;
        uint256 slot = newRound % CHECKPOINT_FREQUENCY;
        _recentHeads[slot] = head;
        uint256 shift = (slot % 4) * 64;
        uint256 word = _recentRounds[slot / 4];
        _recentRounds[slot / 4] = (word & ~(uint256(type(uint64).max) << shift)) | (uint256(newRound) << shift);
        bool opensSpan;
        unchecked {
            // Division by a non-zero constant cannot fail; unchecked spares the division-by-zero check.
            opensSpan = newRound / CHECKPOINT_FREQUENCY != lastRound / CHECKPOINT_FREQUENCY;
        }
        if (opensSpan) {
            _checkpoints[newRound] = head;
            emit Checkpointed(newRound, head);
        }
    }

    /// @dev Sets `member`'s log head and emits {LogHeadUpdated} (a BLS ring also notes when).
    function _setLogHead(address member, bytes32 head) internal virtual {
        _logNodeHeads[member] = head;
        emit LogHeadUpdated(member, head);
    }

    function _recentRoundAt(uint256 slot) private view returns (uint64) {
        return uint64(_recentRounds[slot / 4] >> ((slot % 4) * 64));
    }
}
