// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BlsKeyRegistry} from "./base/BlsKeyRegistry.sol";
import {IBlsRing} from "./interfaces/IBlsRing.sol";
import {BLS12381} from "./libraries/BLS12381.sol";
import {Ring} from "./Ring.sol";

/**
 * @title BlsRing - a Ring whose rounds are flushed with one BLS12-381 aggregate signature.
 * @author Rings
 * @notice A Ring (membership, logs, fork proofs, membership votes, the ECDSA `flush` still
 *         available) plus {BlsKeyRegistry}: members register their keys, and {flushAggregate} checks
 *         one aggregate signature by a signer bitmap. Created by {RingFactory-createBlsRing}.
 */
contract BlsRing is Ring, BlsKeyRegistry, IBlsRing {
    /// @notice Deploys the implementation (rings are its clones).
    /// @param trustedForwarder_ The ERC-2771 forwarder every clone trusts.
    constructor(address trustedForwarder_) Ring(trustedForwarder_) {}

    /// @inheritdoc IBlsRing
    function flushAggregate(
        uint64 newRound,
        bytes32 newRingNodeHead,
        Outputs calldata outputs,
        uint256[] calldata signerBitmap,
        BLS12381.G1Point[] calldata nonSignerKeys,
        uint256[8] calldata signature
    ) external {
        uint64 lastRound = round;
        if (newRound <= lastRound) revert StaleRound(newRound, lastRound); // solhint-disable-line gas-strict-inequalities
        if (newRingNodeHead == bytes32(0)) revert EmptyRingNodeHead();
        bytes32 outputsHash = _hashOutputs(outputs);
        bytes32 digest = _aggregateVoteDigest(newRound, _membershipEpoch, newRingNodeHead, outputsHash);
        _verifyAggregate(digest, signerBitmap, nonSignerKeys, signature, _memberCount);
        _appendRingNode(lastRound, newRound, newRingNodeHead);
        emit AggregateAgreed(newRound, signerBitmap);
        emit Flushed(newRound, newRingNodeHead, outputsHash, _msgSender());
        if (outputs.pins.length != 0) _emitOutputs(outputs);
    }

    /// @inheritdoc IBlsRing
    function aggregateVoteDigest(uint64 atRound, uint64 membershipEpoch_, bytes32 ringNodeHead_, bytes32 outputsHash)
        external
        view
        returns (bytes32)
    {
        return _aggregateVoteDigest(atRound, membershipEpoch_, ringNodeHead_, outputsHash);
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
}
