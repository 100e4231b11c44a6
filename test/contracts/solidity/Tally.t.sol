// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMemberManager} from "../../../contracts/interfaces/IMemberManager.sol";
import {IRing} from "../../../contracts/interfaces/IRing.sol";
import {IVoteVerifier} from "../../../contracts/interfaces/IVoteVerifier.sol";
import {RingsSetup} from "./RingsSetup.sol";

/// @dev The 2/3 tally, fuzzed over ring sizes and signer subsets, against real signatures.
contract TallyTest is RingsSetup {
    function setUp() public {
        _deploy();
    }

    /// @dev A flush passes iff signers > 0 and signers * 3 >= members * 2.
    function testFuzz_flushPassesIffTwoThirdsSign(uint8 memberSeed, uint256 subsetSeed) public {
        uint256 memberCount = 1 + (memberSeed % 12);
        (IRing ring, uint256[] memory keys) = _createRing(memberCount);
        uint256[] memory chosen = new uint256[](memberCount);
        uint256 signerCount;
        for (uint256 i = 0; i < memberCount; ++i) {
            if ((subsetSeed >> i) & 1 == 1) chosen[signerCount++] = keys[i];
        }
        assembly ("memory-safe") {
            mstore(chosen, signerCount)
        }
        IVoteVerifier.Vote[] memory votes = _votes(ring, chosen, 1, keccak256("head"));
        bool expected = signerCount > 0 && signerCount * 3 >= memberCount * 2;
        assertEq(ring.requiredVotes(), (memberCount * 2 + 2) / 3, "requiredVotes");
        bool passed;
        try ring.flush(1, keccak256("head"), _emptyOutputs(), votes, new IVoteVerifier.Dissent[](0)) {
            passed = true;
        } catch (bytes memory reason) {
            assertEq(
                uint256(keccak256(reason)),
                uint256(keccak256(abi.encodeWithSelector(IRing.InsufficientVotes.selector, signerCount, ring.requiredVotes()))),
                "revert reason"
            );
        }
        assertTrue(passed == expected, "passes iff 2/3 signed");
        if (passed) {
            for (uint256 i = 0; i < signerCount; ++i) {
                (uint64 agreements, ) = ring.reputation(vm.addr(chosen[i]));
                assertEq(agreements, 1, "agreement counted");
            }
        }
    }

    /// @dev verifyVotes returns the signers ascending, for any subset of signers.
    function testFuzz_verifyVotesRecoversSignersAscending(uint256 subsetSeed) public {
        (IRing ring, uint256[] memory keys) = _createRing(8);
        uint256[] memory chosen = new uint256[](8);
        uint256 count;
        for (uint256 i = 0; i < 8; ++i) {
            if ((subsetSeed >> i) & 1 == 1) chosen[count++] = keys[i];
        }
        assembly ("memory-safe") {
            mstore(chosen, count)
        }
        IVoteVerifier.Vote[] memory votes = _votes(ring, chosen, 3, keccak256("h"));
        IRing.Outputs memory outputs = _emptyOutputs();
        address[] memory signers = ring.verifyVotes(
            3, 0, keccak256("h"), keccak256(abi.encode(outputs.gate, outputs.pins, outputs.cids)), votes
        );
        assertEq(signers.length, count, "signer count");
        for (uint256 i = 0; i < count; ++i) {
            assertEq(signers[i], vm.addr(chosen[i]), "signer");
            if (i > 0) assertTrue(signers[i - 1] < signers[i], "ascending");
        }
    }

    /// @dev Swapping any two adjacent votes breaks the order and the flush.
    function testFuzz_unsortedVotesAreRejected(uint8 position) public {
        (IRing ring, uint256[] memory keys) = _createRing(6);
        IVoteVerifier.Vote[] memory votes = _votes(ring, keys, 1, keccak256("head"));
        uint256 i = position % 5;
        (votes[i], votes[i + 1]) = (votes[i + 1], votes[i]);
        // `keys` is sorted by address now; the vote at i + 1 is the lower signer keys[i].
        vm.expectRevert(abi.encodeWithSelector(IVoteVerifier.SignersNotAscending.selector, vm.addr(keys[i])));
        _flush(ring, 1, keccak256("head"), votes);
    }

    /// @dev Votes signed on this chain recover to other addresses on another chain id.
    function test_votesDoNotReplayOnAnotherChainId() public {
        (IRing ring, uint256[] memory keys) = _createRing(3);
        IVoteVerifier.Vote[] memory votes = _votes(ring, keys, 1, keccak256("head"));
        vm.chainId(block.chainid + 1);
        try ring.flush(1, keccak256("head"), _emptyOutputs(), votes, new IVoteVerifier.Dissent[](0)) {
            revert("a vote replayed on another chain id passed");
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            assertTrue(
                selector == IMemberManager.NotAMember.selector || selector == IVoteVerifier.SignersNotAscending.selector,
                "replayed signers are strangers"
            );
        }
    }
}
