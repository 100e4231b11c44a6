// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBlsKeyRegistry} from "../../../contracts/interfaces/IBlsKeyRegistry.sol";
import {BLS12381} from "../../../contracts/libraries/BLS12381.sol";
import {SignerBitmap} from "../../../contracts/libraries/SignerBitmap.sol";
import {Assertions} from "./Assertions.sol";
import {BlsVotesHarness} from "./BlsVotesHarness.sol";

/// @dev The signer bitmap and 2/3 threshold arithmetic, fuzzed alone and through real BLS flushes.
contract SignerBitmapTest is Assertions {
    // The G1 generator (EIP-2537 encoding).
    uint256 private constant _G1_X_HI = 0x17f1d3a73197d7942695638c4fa9ac0f;
    uint256 private constant _G1_X_LO = 0xc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb;
    uint256 private constant _G1_Y_HI = 0x08b3f481e3aaa0f1a09e30ed741d8ae4;
    uint256 private constant _G1_Y_LO = 0xfcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1;

    function testFuzz_popCountCountsEveryBit(uint256 x) public pure {
        uint256 naive;
        for (uint256 i = 0; i < 256; ++i) naive += (x >> i) & 1;
        assertEq(SignerBitmap.popCount(x), naive, "popCount");
    }

    function testFuzz_lowestBitIsTheLowestSetBit(uint256 x) public pure {
        if (x == 0) x = 1 << 255;
        uint256 lowest = SignerBitmap.lowestBit(x);
        assertTrue((x >> lowest) & 1 == 1, "bit set");
        assertTrue(lowest == 0 || x << (256 - lowest) == 0, "no lower bit set");
    }

    /// @dev meetsQuorum(s, n) iff s >= requiredSigners(n), the Ring's requiredVotes formula.
    function testFuzz_quorumIsTheRingsTwoThirds(uint32 members, uint32 signers) public pure {
        uint256 required = SignerBitmap.requiredSigners(members);
        uint256 ringFormula = (uint256(members) * 2 + 3 - 1) / 3;
        assertEq(required, ringFormula == 0 ? 1 : ringFormula, "requiredSigners = Ring.requiredVotes");
        assertTrue(SignerBitmap.meetsQuorum(signers, members) == (signers >= required), "quorum iff >= required");
    }

    /// @dev The masks of a bitmap's words cover exactly the indices below `size`.
    function testFuzz_validMasksCoverExactlyTheKeys(uint16 size, uint256 index) public pure {
        if (size == 0) size = 1;
        uint256 words = SignerBitmap.wordCount(size);
        assertTrue(words * 256 >= size && (words - 1) * 256 < size, "word count");
        index = index % (words * 256);
        bool covered = (SignerBitmap.validMask(size, index >> 8) >> (index & 255)) & 1 == 1;
        assertTrue(covered == (index < size), "bit valid iff index < size");
    }

    /// @dev With real keys and signatures: a flush by any subset of up to 9 members passes iff 2/3 signed.
    function testFuzz_aggregateFlushPassesIffTwoThirdsSign(uint8 sizeSeed, uint256 subsetSeed) public {
        uint256 size = 1 + (sizeSeed % 9);
        BlsVotesHarness harness = _registeredHarness(size);
        uint256[] memory bitmap = new uint256[](1);
        bitmap[0] = subsetSeed & ((1 << size) - 1);
        uint256[8] memory signature = _aggregateSignature(harness, bitmap[0], size);
        uint256 signers = SignerBitmap.popCount(bitmap[0]);
        bool passed;
        BLS12381.G1Point[] memory absent = _nonSignerKeys(bitmap[0], size);
        try harness.flush(1, keccak256("head"), keccak256("out"), bitmap, absent, signature) {
            passed = true;
        } catch (bytes memory reason) {
            bytes memory insufficient = abi.encodeWithSelector(
                IBlsKeyRegistry.InsufficientSigners.selector, signers, SignerBitmap.requiredSigners(size)
            );
            assertEq(uint256(keccak256(reason)), uint256(keccak256(insufficient)), "revert reason");
        }
        assertTrue(passed == (signers != 0 && signers * 3 >= size * 2), "passes iff 2/3 signed");
    }

    /// @dev The registered keys of the members `bits` leaves out, by ascending index.
    function _nonSignerKeys(uint256 bits, uint256 size) private view returns (BLS12381.G1Point[] memory keys) {
        keys = new BLS12381.G1Point[](size - SignerBitmap.popCount(bits));
        uint256 next;
        for (uint256 i = 0; i < size; ++i) if ((bits >> i) & 1 == 0) keys[next++] = _g1Mul(_secret(i));
    }

    function _secret(uint256 index) private pure returns (uint256) {
        return 7 + index * 1_000_003;
    }

    /// @dev A harness whose `size` members registered keys secret(i) * g1 with their proofs of possession.
    function _registeredHarness(uint256 size) private returns (BlsVotesHarness harness) {
        harness = new BlsVotesHarness();
        address[] memory members = new address[](size);
        for (uint256 i = 0; i < size; ++i) members[i] = address(uint160(0x1000 + i));
        harness.enterAll(members);
        for (uint256 i = 0; i < size; ++i) {
            BLS12381.G1Point memory key = _g1Mul(_secret(i));
            bytes memory popMessage = abi.encodePacked(BLS12381.compress(key), members[i]);
            harness.registerBlsKeyFor(members[i], key, _g2Mul(harness.hashToG2(popMessage, BLS12381.POP_DST), _secret(i)));
        }
    }

    /// @dev The aggregate signature of round 1 by the members `bits` sets (H(m) itself when none: never checked).
    function _aggregateSignature(BlsVotesHarness harness, uint256 bits, uint256 size)
        private
        view
        returns (uint256[8] memory)
    {
        uint256 secretSum;
        for (uint256 i = 0; i < size; ++i) if ((bits >> i) & 1 == 1) secretSum += _secret(i);
        bytes32 digest = harness.aggregateVoteDigest(1, harness.membershipEpoch(), keccak256("head"), keccak256("out"));
        uint256[8] memory hashed = harness.hashToG2(abi.encodePacked(digest), BLS12381.SIGNATURE_DST);
        return _g2Mul(hashed, secretSum == 0 ? 1 : secretSum);
    }

    function _g1Mul(uint256 scalar) private view returns (BLS12381.G1Point memory point) {
        uint256[5] memory input = [_G1_X_HI, _G1_X_LO, _G1_Y_HI, _G1_Y_LO, scalar];
        assembly ("memory-safe") {
            if iszero(staticcall(gas(), 0x0c, input, 0xa0, point, 0x80)) { revert(0, 0) }
        }
    }

    function _g2Mul(uint256[8] memory base, uint256 scalar) private view returns (uint256[8] memory point) {
        assembly ("memory-safe") {
            let input := mload(0x40)
            mcopy(input, base, 0x100)
            mstore(add(input, 0x100), scalar)
            if iszero(staticcall(gas(), 0x0e, input, 0x120, point, 0x100)) { revert(0, 0) }
        }
    }
}
