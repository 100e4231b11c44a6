// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title SignerBitmap - who signed an aggregate vote: bit i of the bitmap is key index i.
 * @author Rings
 * @notice Word w holds indices 256w .. 256w + 255, least significant bit first. A bitmap over n keys
 *         has ceil(n / 256) words and no bit set at or above n. The quorum is the ring's 2/3 rule
 *         (see {IVoteVerifier-RING_MAJORITY_NUMERATOR}): signers > 0 and signers * 3 >= members * 2.
 */
library SignerBitmap {
    /// @dev The words a bitmap over `size` keys has.
    function wordCount(uint256 size) internal pure returns (uint256) {
        return (size + 255) >> 8;
    }

    /// @dev The bits of word `word` that stand for keys (all ones but in the last, partial word).
    function validMask(uint256 size, uint256 word) internal pure returns (uint256) {
        uint256 above = size - (word << 8); // keys from this word on: > 0 for any word of the bitmap
        return above > 255 ? type(uint256).max : (uint256(1) << above) - 1;
    }

    /// @dev The smallest signer count that meets the 2/3 quorum of `members` (1 for an empty ring).
    function requiredSigners(uint256 members) internal pure returns (uint256) {
        uint256 required = (members * 2 + 2) / 3;
        return required == 0 ? 1 : required;
    }

    /// @dev Whether `signers` of `members` meet the 2/3 quorum.
    function meetsQuorum(uint256 signers, uint256 members) internal pure returns (bool) {
        return signers != 0 && signers * 3 >= members * 2; // solhint-disable-line gas-strict-inequalities
    }

    /// @dev The number of set bits (Solady's LibBit.popCount: SWAR, about 30 gas).
    function popCount(uint256 x) internal pure returns (uint256 c) {
        assembly ("memory-safe") {
            let max := not(0)
            let isMax := eq(x, max)
            x := sub(x, and(shr(1, x), div(max, 3)))
            x := add(and(x, div(max, 5)), and(shr(2, x), div(max, 5)))
            x := and(add(x, shr(4, x)), div(max, 17))
            c := or(shl(8, isMax), shr(248, mul(x, div(max, 255))))
        }
    }

    /// @dev The index of the lowest set bit of a non-zero `x` (binary search over its isolated bit).
    function lowestBit(uint256 x) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            x := and(x, sub(0, x))
            r := shl(7, lt(0xffffffffffffffffffffffffffffffff, x))
            r := or(r, shl(6, lt(0xffffffffffffffff, shr(r, x))))
            r := or(r, shl(5, lt(0xffffffff, shr(r, x))))
            r := or(r, shl(4, lt(0xffff, shr(r, x))))
            r := or(r, shl(3, lt(0xff, shr(r, x))))
            r := or(r, shl(2, lt(0xf, shr(r, x))))
            r := or(r, shl(1, lt(0x3, shr(r, x))))
            r := or(r, lt(0x1, shr(r, x)))
        }
    }
}
