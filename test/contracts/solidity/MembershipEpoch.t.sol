// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRing} from "../../../contracts/interfaces/IRing.sol";
import {IVoteVerifier} from "../../../contracts/interfaces/IVoteVerifier.sol";
import {RingsSetup} from "./RingsSetup.sol";

/// @dev Every change of the member list moves the membership epoch on and voids the votes signed before it.
contract MembershipEpochTest is RingsSetup {
    address private constant SENTINEL = address(1);

    function setUp() public {
        _deploy();
    }

    /// @dev After `changes` owner entries and exits (the signers stay members), round votes of any older epoch
    ///      do not flush, and the same signers' votes of the current epoch do.
    function testFuzz_roundVotesOfAnOlderMembershipEpochDoNotPass(uint8 memberSeed, uint8 changeSeed, uint64 staleSeed)
        public
    {
        uint256 memberCount = 3 + (memberSeed % 8);
        (IRing ring, uint256[] memory keys) = _createRing(memberCount);
        uint64 changes = uint64(1 + (changeSeed % 6));
        _changeMembers(ring, changes);
        assertEq(ring.membershipEpoch(), changes, "one epoch per change");
        uint64 stale = staleSeed % changes;
        IVoteVerifier.Vote[] memory old = _votesAt(ring, keys, 1, stale, keccak256("head"));
        try ring.flush(1, keccak256("head"), _emptyOutputs(), old, new IVoteVerifier.Dissent[](0)) {
            revert("votes of an older membership epoch flushed");
        } catch {} // solhint-disable-line no-empty-blocks
        _flush(ring, 1, keccak256("head"), _votesAt(ring, keys, 1, changes, keccak256("head")));
        assertEq(ring.round(), 1, "the current epoch's votes flush");
    }

    /// @dev A members' vote signed under an older epoch is refused with StaleMembershipEpoch.
    function testFuzz_membershipVoteOfAnOlderEpochIsRefused(uint8 changeSeed, uint64 staleSeed) public {
        (IRing ring, uint256[] memory keys) = _createRing(4);
        uint64 changes = uint64(1 + (changeSeed % 6));
        _changeMembers(ring, changes);
        uint64 stale = staleSeed % changes;
        address newcomer = vm.addr(_key(1000));
        uint256 deadline = block.timestamp + 1 hours;
        IVoteVerifier.Signature[] memory signatures = _membershipVote(ring, keys, true, newcomer, stale, deadline);
        vm.expectRevert(abi.encodeWithSelector(IRing.StaleMembershipEpoch.selector, stale, changes));
        ring.enterByVote(newcomer, stale, deadline, signatures);
    }

    /// @dev Alternately admits an outsider and removes it again (the original members stay).
    function _changeMembers(IRing ring, uint64 changes) private {
        address outsider = vm.addr(_key(999));
        for (uint64 i = 0; i < changes; ++i) {
            if (i % 2 == 0) ring.enter(outsider);
            else ring.exit(SENTINEL, outsider); // entered last, so first in the list
        }
    }

    function _membershipVote(
        IRing ring,
        uint256[] memory keys,
        bool enter,
        address member,
        uint64 epoch,
        uint256 deadline
    ) private view returns (IVoteVerifier.Signature[] memory signatures) {
        _sortByAddress(keys);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Membership(bool enter,address member,uint64 membershipEpoch,uint256 deadline)"),
                enter,
                member,
                epoch,
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", _domainSeparator(address(ring)), structHash));
        signatures = new IVoteVerifier.Signature[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], digest);
            signatures[i] = IVoteVerifier.Signature(r, bytes32((uint256(v - 27) << 255) | uint256(s)));
        }
    }
}
