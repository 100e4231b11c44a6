// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {BlsKeyRegistry} from "../../../contracts/base/BlsKeyRegistry.sol";
import {VoteVerifier} from "../../../contracts/base/VoteVerifier.sol";
import {BLS12381} from "../../../contracts/libraries/BLS12381.sol";
import {HeadsMerkle} from "../../../contracts/libraries/HeadsMerkle.sol";

/**
 * @dev A BLS ring's vote path without the rest of a ring: members entered by anyone, keys registered
 *      with proof of possession, and `flush` checking an aggregate vote of the EIP-712 AggregateVote
 *      digest (chain id and this contract's address in the domain) under the current membership epoch.
 */
contract BlsVotesHarness is EIP712, VoteVerifier, BlsKeyRegistry {
    error NotAMember(address account);
    error StaleRound(uint64 round, uint64 lastRound);

    event AggregateFlushed(uint64 round, uint256 signers);

    mapping(address account => bool) public isMember;
    uint256 public memberCount;
    uint64 public membershipEpoch;
    uint64 public round;

    constructor() EIP712("Rings", "1") {}

    function enterAll(address[] calldata members) external {
        for (uint256 i = 0; i < members.length; ++i) isMember[members[i]] = true;
        memberCount += members.length;
        ++membershipEpoch;
    }

    function enter(address member) external {
        isMember[member] = true;
        ++memberCount;
        ++membershipEpoch;
    }

    function exit(address member) external {
        isMember[member] = false;
        --memberCount;
        ++membershipEpoch;
        _removeBlsKey(member);
    }

    function registerBlsKey(BLS12381.G1Point calldata key, uint256[8] calldata proofOfPossession) external {
        if (!isMember[msg.sender]) revert NotABlsRegistrant(msg.sender);
        _registerBlsKey(msg.sender, key, proofOfPossession);
    }

    /// @dev Bulk set-up for tests: registers for `member` (its proof of possession still binds its address).
    function registerBlsKeyFor(address member, BLS12381.G1Point calldata key, uint256[8] calldata proofOfPossession)
        external
    {
        if (!isMember[member]) revert NotABlsRegistrant(member);
        _registerBlsKey(member, key, proofOfPossession);
    }

    function flush(
        uint64 newRound,
        bytes32 ringNodeHead,
        bytes32 outputsHash,
        uint256[] calldata bitmap,
        BLS12381.G1Point[] calldata nonSignerKeys,
        uint256[8] calldata signature
    ) external {
        if (newRound <= round) revert StaleRound(newRound, round);
        bytes32 digest = _aggregateVoteDigest(newRound, membershipEpoch, ringNodeHead, bytes32(0), outputsHash);
        uint256 signers = _verifyAggregate(digest, bitmap, nonSignerKeys, signature, memberCount);
        round = newRound;
        emit AggregateFlushed(newRound, signers);
    }

    function aggregateVoteDigest(uint64 atRound, uint64 epoch, bytes32 ringNodeHead, bytes32 outputsHash)
        external
        view
        returns (bytes32)
    {
        return _aggregateVoteDigest(atRound, epoch, ringNodeHead, bytes32(0), outputsHash);
    }

    /// @dev HeadsMerkle's leaf and proof check, for tests of node/src/core/headsMerkle.ts against it.
    function headsLeaf(address member, bytes32 head) external pure returns (bytes32) {
        return HeadsMerkle.leaf(member, head);
    }

    function verifyHead(bytes32[] calldata proof, bytes32 root, address member, bytes32 head) external pure returns (bool) {
        return HeadsMerkle.verify(proof, root, member, head);
    }

    function hashToG2(bytes calldata message, bytes calldata dst) external view returns (uint256[8] memory) {
        return BLS12381.hashToG2(message, dst);
    }
}
