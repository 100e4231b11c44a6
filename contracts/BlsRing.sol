// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BlsKeyRegistry} from "./base/BlsKeyRegistry.sol";
import {RingLogs} from "./base/RingLogs.sol";
import {IBlsRing} from "./interfaces/IBlsRing.sol";
import {BLS12381} from "./libraries/BLS12381.sol";
import {HeadsMerkle} from "./libraries/HeadsMerkle.sol";
import {Ring} from "./Ring.sol";

/**
 * @title BlsRing - a Ring whose rounds are flushed with one BLS12-381 aggregate signature.
 * @author Rings
 * @notice A Ring (membership, logs, fork proofs, membership votes, the ECDSA `flush` still
 *         available) plus {BlsKeyRegistry}: members register their keys, and {flushAggregate} checks
 *         one aggregate signature by a signer bitmap and stores one root of every member's head
 *         ({HeadsMerkle}), which {proveHead} opens member by member. Created by {RingFactory-createBlsRing}.
 */
contract BlsRing is Ring, BlsKeyRegistry, IBlsRing {
    /// @dev The {HeadsMerkle} root of round `_headsRootRound`'s member heads.
    bytes32 private _headsRoot;

    /// @dev The round current when a member's head was last set on chain (by any path).
    mapping(address member => uint256 atRound) private _headSetAt;

    /// @notice Deploys the implementation (rings are its clones).
    /// @param trustedForwarder_ The ERC-2771 forwarder every clone trusts.
    constructor(address trustedForwarder_) Ring(trustedForwarder_) {}

    /// @inheritdoc IBlsRing
    function flushAggregate(
        uint64 newRound,
        bytes32 newRingNodeHead,
        bytes32 headsRoot_,
        Outputs calldata outputs,
        Aggregate calldata aggregate,
        Dissent[] calldata dissents
    ) external {
        uint64 lastRound = round;
        if (newRound <= lastRound) revert StaleRound(newRound, lastRound); // solhint-disable-line gas-strict-inequalities
        if (newRingNodeHead == bytes32(0)) revert EmptyRingNodeHead();
        bytes32 outputsHash = _hashOutputs(outputs);
        uint64 epoch = _membershipEpoch;
        bytes32 digest = _aggregateVoteDigest(newRound, epoch, newRingNodeHead, headsRoot_, outputsHash);
        _verifyAggregate(digest, aggregate.signerBitmap, aggregate.nonSignerKeys, aggregate.signature, _memberCount);
        if (dissents.length != 0) {
            _countBlsDissents(newRound, epoch, newRingNodeHead, outputsHash, dissents, aggregate.signerBitmap);
        }
        _appendRingNode(lastRound, newRound, newRingNodeHead);
        _headsRoot = headsRoot_;
        _headsRootRound = newRound;
        emit AggregateAgreed(newRound, headsRoot_, aggregate.signerBitmap);
        emit Flushed(newRound, newRingNodeHead, outputsHash, _msgSender());
        if (outputs.pins.length != 0) _emitOutputs(outputs);
    }

    /// @inheritdoc IBlsRing
    function proveHead(address member, uint64 atRound, bytes32 head, bytes32[] calldata proof) external {
        uint64 rootRound = _headsRootRound;
        // A root the ECDSA flush outran (round > rootRound) is stale too: newer heads are on chain.
        if (atRound != rootRound || rootRound != round) revert StaleHeadProof(atRound, rootRound);
        if (!HeadsMerkle.verify(proof, _headsRoot, member, head)) revert InvalidHeadProof(member, head);
        _requireMember(member);
        if (_headSetAt[member] >= atRound) revert HeadAlreadyCurrent(member, atRound); // solhint-disable-line gas-strict-inequalities
        _setLogHead(member, head); // emits LogHeadUpdated, which nodes follow as for any head set on chain
    }

    /// @inheritdoc IBlsRing
    function headsRoot() external view returns (bytes32 root, uint64 atRound) {
        return (_headsRoot, _headsRootRound);
    }

    /// @inheritdoc IBlsRing
    function aggregateVoteDigest(
        uint64 atRound,
        uint64 membershipEpoch_,
        bytes32 ringNodeHead_,
        bytes32 headsRoot_,
        bytes32 outputsHash
    ) external view returns (bytes32) {
        return _aggregateVoteDigest(atRound, membershipEpoch_, ringNodeHead_, headsRoot_, outputsHash);
    }

    /// @notice Registers the caller's (a member's) BLS key, see {IBlsKeyRegistry-registerBlsKey}.
    /// @param key The public key.
    /// @param proofOfPossession Its signature over compress(key) ‖ caller under the PoP DST.
    function registerBlsKey(BLS12381.G1Point calldata key, uint256[8] calldata proofOfPossession) external {
        address member = _msgSender();
        if (!isMember(member)) revert NotABlsRegistrant(member);
        _registerBlsKey(member, key, proofOfPossession);
    }

    function _memberLeft(address member) internal override {
        _removeBlsKey(member);
    }

    /// @dev Every head set on chain notes the round current then (see {proveHead}); +1 slot for {IRing-updateLogHead}.
    function _setLogHead(address member, bytes32 head) internal override {
        _headSetAt[member] = round;
        RingLogs._setLogHead(member, head);
    }

    /**
     * @dev As {Ring-flush} records dissents: each an ECDSA Vote of this round for another ring head or
     *      outputs, by a member, ascending, whose key (if any) the bitmap does not set.
     */
    function _countBlsDissents(
        uint64 atRound,
        uint64 epoch,
        bytes32 majorityHead,
        bytes32 majorityOutputsHash,
        Dissent[] calldata dissents,
        uint256[] calldata bitmap
    ) private {
        address last = SENTINEL_MEMBERS;
        for (uint256 i = 0; i < dissents.length; ++i) {
            Dissent calldata dissent = dissents[i];
            address dissenter = _dissenter(atRound, epoch, dissent, i, last);
            last = dissenter;
            // index + 1 of its key (0: none, so it cannot have signed); the bitmap's length is checked.
            uint256 bit = _blsIndexPlusOneOf(dissenter);
            bool signed;
            unchecked {
                signed = bit != 0 && (bitmap[(bit - 1) >> 8] >> ((bit - 1) & 0xff)) & 1 == 1;
            }
            _recordDissent(atRound, majorityHead, majorityOutputsHash, dissent, dissenter, signed);
        }
    }
}
