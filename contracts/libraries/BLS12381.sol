// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title BLS12381 - BLS signatures (min-pk: public keys in G1, signatures in G2) on EIP-2537.
 * @author Rings
 * @notice Points use EIP-2537's encoding: an Fp element is 64 bytes (16 zero bytes, then 48
 *         big-endian), a G1 point is x ‖ y (128 bytes), a G2 point x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1 (256
 *         bytes, passed as a `uint256[8]` of (hi, lo) words), the point at infinity is all zeros.
 *
 *         Why min-pk: a ring's flush subtracts absent members' keys from the stored sum of all keys
 *         (one addition and one key of calldata per absent member) and hashes one message. Min-sig
 *         (G2 keys, G1 signatures) would hash to G1 instead (2 x 5,500 instead of 2 x 23,800 gas),
 *         carry a 128-byte instead of a 256-byte signature, but read a G2 aggregate key (6 slots
 *         instead of 3) and, per absent member, carry 256 instead of 128 bytes of key and add with
 *         G2ADD (600 instead of 375): from the precompile and calldata prices, about 32,000 gas less
 *         per flush and about 2,000 more per absent member, even at ~16 absent members. Rings are
 *         built to tolerate a third absent (85 of 256), where min-pk is ~130,000 gas cheaper, so
 *         min-pk. It is also what Ethereum's consensus layer uses (the same DSTs; noble-curves'
 *         "long signatures").
 *
 *         Subgroup checks: EIP-2537's G1ADD/G2ADD check only that a point is on the curve; MSM and
 *         PAIRING also check the subgroup. Every check here is one precompile call whose failure
 *         means exactly one thing, so callers can revert with their own error.
 */
library BLS12381 {
    /// @dev RFC 9380 suite of Ethereum's BLS signatures with proof of possession (min-pk).
    bytes internal constant SIGNATURE_DST = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
    /// @dev The distinct DST of proofs of possession (draft-irtf-cfrg-bls-signature, section 4.2.3).
    bytes internal constant POP_DST = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

    uint256 private constant _G1ADD = 0x0b;
    uint256 private constant _G1MSM = 0x0c;
    uint256 private constant _G2ADD = 0x0d;
    uint256 private constant _G2MSM = 0x0e;
    uint256 private constant _PAIRING = 0x0f;
    uint256 private constant _MAP_FP2_TO_G2 = 0x11;
    uint256 private constant _MODEXP = 0x05;

    /// @dev p = _P_HI * 2^256 + _P_LO, the base field modulus.
    uint256 private constant _P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 private constant _P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    /// @dev (p - 1) / 2 = _HALF_HI * 2^256 + _HALF_LO: a y above it is the "larger" root (the compressed sign flag).
    uint256 private constant _HALF_HI = 0xd0088f51cbff34d258dd3db21a5d66b;
    uint256 private constant _HALF_LO = 0xb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555;

    /// @dev -g1, the negated G1 generator (x of g1, p - y of g1), for e(pk, H(m)) * e(-g1, sig) == 1.
    uint256 private constant _NEG_G1_X_HI = 0x17f1d3a73197d7942695638c4fa9ac0f;
    uint256 private constant _NEG_G1_X_LO = 0xc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb;
    uint256 private constant _NEG_G1_Y_HI = 0x114d1d6855d545a8aa7d76c8cf2e21f2;
    uint256 private constant _NEG_G1_Y_LO = 0x67816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca;

    /// @notice A G1 point in EIP-2537 encoding: (x_hi, x_lo, y_hi, y_lo), each *_hi < 2^128.
    struct G1Point {
        uint256 xHi;
        uint256 xLo;
        uint256 yHi;
        uint256 yLo;
    }

    /// @dev True iff `point` is the point at infinity (all zeros).
    function isInfinity(G1Point memory point) internal pure returns (bool) {
        return point.xHi | point.xLo | point.yHi | point.yLo == 0;
    }

    /// @dev True iff `point` is the point at infinity (all zeros).
    function isInfinity(uint256[8] memory point) internal pure returns (bool) {
        uint256 all;
        for (uint256 i = 0; i < 8; ++i) all |= point[i];
        return all == 0;
    }

    /// @dev True iff `point` is a canonical encoding of a point on the curve (G1ADD with infinity).
    function isOnCurve(G1Point memory point) internal view returns (bool ok) {
        assembly ("memory-safe") {
            let input := mload(0x40)
            mcopy(input, point, 0x80)
            mstore(add(input, 0x80), 0)
            mstore(add(input, 0xa0), 0)
            mstore(add(input, 0xc0), 0)
            mstore(add(input, 0xe0), 0)
            ok := staticcall(gas(), _G1ADD, input, 0x100, input, 0x80)
        }
    }

    /// @dev True iff `point` is a canonical encoding of a point on the twist (G2ADD with infinity).
    function isOnCurve(uint256[8] memory point) internal view returns (bool ok) {
        assembly ("memory-safe") {
            let input := mload(0x40)
            mcopy(input, point, 0x100)
            calldatacopy(add(input, 0x100), calldatasize(), 0x100) // zeros: the point at infinity
            ok := staticcall(gas(), _G2ADD, input, 0x200, input, 0x100)
        }
    }

    /// @dev For a point on the curve: true iff it lies in the prime-order subgroup (G1MSM by 1, 12,000 gas).
    function isInSubgroup(G1Point memory point) internal view returns (bool ok) {
        assembly ("memory-safe") {
            let input := mload(0x40)
            mcopy(input, point, 0x80)
            mstore(add(input, 0x80), 1)
            ok := staticcall(gas(), _G1MSM, input, 0xa0, input, 0x80)
        }
    }

    /// @dev For a point on the twist: true iff it lies in the prime-order subgroup (G2MSM by 1, 22,500 gas).
    function isInSubgroup(uint256[8] memory point) internal view returns (bool ok) {
        assembly ("memory-safe") {
            let input := mload(0x40)
            mcopy(input, point, 0x100)
            mstore(add(input, 0x100), 1)
            ok := staticcall(gas(), _G2MSM, input, 0x120, input, 0x100)
        }
    }

    /// @dev a + b for points on the curve (reverts with no data if either is not: callers check first).
    function add(G1Point memory a, G1Point memory b) internal view returns (G1Point memory sum) {
        assembly ("memory-safe") {
            let input := mload(0x40)
            mcopy(input, a, 0x80)
            mcopy(add(input, 0x80), b, 0x80)
            if iszero(staticcall(gas(), _G1ADD, input, 0x100, sum, 0x80)) { revert(0, 0) }
        }
    }

    /**
     * @dev The 48-byte ZCash compressed encoding of a G1 point that is not infinity (what noble-curves'
     *      `toBytes(true)` gives): x with bit 383 set (compressed) and bit 381 set iff y > (p - 1) / 2.
     */
    function compress(G1Point memory point) internal pure returns (bytes memory) {
        bool larger = point.yHi > _HALF_HI || (point.yHi == _HALF_HI && point.yLo > _HALF_LO);
        uint256 high = point.xHi | (1 << 127) | (larger ? 1 << 125 : 0);
        return abi.encodePacked(uint128(high), point.xLo);
    }

    /// @dev -point (y -> p - y; infinity stays infinity).
    function negate(G1Point memory point) internal pure returns (G1Point memory) {
        if (point.yHi | point.yLo == 0) return point;
        unchecked {
            uint256 borrow = point.yLo > _P_LO ? 1 : 0;
            return G1Point(point.xHi, point.xLo, _P_HI - point.yHi - borrow, _P_LO - point.yLo);
        }
    }

    /**
     * @dev Whether the pairing equation e(publicKey, H(message)) == e(g1, signature) holds, with
     *      `ok` false when the precompile refuses an input (a point off the curve or outside the
     *      subgroup): one PAIRING call of two pairs, 37,700 + 2 x 32,600 = 102,900 gas.
     */
    function pairingCheck(G1Point memory publicKey, uint256[8] memory hashed, uint256[8] memory signature)
        internal
        view
        returns (bool ok, bool valid)
    {
        assembly ("memory-safe") {
            let input := mload(0x40)
            mcopy(input, publicKey, 0x80)
            mcopy(add(input, 0x80), hashed, 0x100)
            mstore(add(input, 0x180), _NEG_G1_X_HI)
            mstore(add(input, 0x1a0), _NEG_G1_X_LO)
            mstore(add(input, 0x1c0), _NEG_G1_Y_HI)
            mstore(add(input, 0x1e0), _NEG_G1_Y_LO)
            mcopy(add(input, 0x200), signature, 0x100)
            ok := staticcall(gas(), _PAIRING, input, 0x300, 0x00, 0x20)
            valid := and(ok, eq(mload(0x00), 1))
        }
    }

    /**
     * @dev hash_to_curve(message) onto G2 per RFC 9380 (BLS12381G2_XMD:SHA-256_SSWU_RO_):
     *      expand_message_xmd to 256 bytes, four 64-byte chunks reduced mod p (MODEXP with exponent 1),
     *      two MAP_FP2_TO_G2 calls (they clear the cofactor) and one G2ADD.
     */
    function hashToG2(bytes memory message, bytes memory dst) internal view returns (uint256[8] memory point) {
        bytes memory uniform = expandMessageXmd(message, dst);
        assembly ("memory-safe") {
            let fields := mload(0x40) // u0.c0 | u0.c1 | u1.c0 | u1.c1, 64 bytes each
            let modexp := add(fields, 0x100)
            mstore(modexp, 0x40) // base length
            mstore(add(modexp, 0x20), 1) // exponent length
            mstore(add(modexp, 0x40), 0x30) // modulus length
            // base at +0x60 (64 bytes), exponent at +0xa0 (1 byte), modulus at +0xa1 (48 bytes)
            mstore8(add(modexp, 0xa0), 1)
            mstore(add(modexp, 0xa1), shl(128, _P_HI))
            mstore(add(modexp, 0xb1), _P_LO)
            for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                let chunk := add(add(uniform, 0x20), shl(6, i))
                mcopy(add(modexp, 0x60), chunk, 0x40)
                let out := add(fields, shl(6, i))
                mstore(out, 0)
                if iszero(staticcall(gas(), _MODEXP, modexp, 0xd1, add(out, 0x10), 0x30)) { revert(0, 0) }
            }
            let mapped := add(fields, 0x100) // Q0 | Q1, overwriting the MODEXP input
            if iszero(staticcall(gas(), _MAP_FP2_TO_G2, fields, 0x80, mapped, 0x100)) { revert(0, 0) }
            if iszero(staticcall(gas(), _MAP_FP2_TO_G2, add(fields, 0x80), 0x80, add(mapped, 0x100), 0x100)) {
                revert(0, 0)
            }
            if iszero(staticcall(gas(), _G2ADD, mapped, 0x200, point, 0x100)) { revert(0, 0) }
        }
    }

    /// @dev RFC 9380 section 5.3.1 with SHA-256 (the precompile at 0x02), len_in_bytes = 256.
    function expandMessageXmd(bytes memory message, bytes memory dst) internal pure returns (bytes memory uniform) {
        bytes memory dstPrime = abi.encodePacked(dst, uint8(dst.length));
        // Z_pad (64 zero bytes) ‖ msg ‖ I2OSP(256, 2) ‖ I2OSP(0, 1) ‖ DST_prime
        bytes32 b0 = sha256(abi.encodePacked(bytes32(0), bytes32(0), message, uint16(256), uint8(0), dstPrime));
        bytes32 b = sha256(abi.encodePacked(b0, uint8(1), dstPrime));
        uniform = new bytes(256);
        assembly ("memory-safe") {
            mstore(add(uniform, 0x20), b)
        }
        for (uint256 i = 2; i < 9; ++i) {
            b = sha256(abi.encodePacked(b0 ^ b, uint8(i), dstPrime));
            assembly ("memory-safe") {
                mstore(add(uniform, shl(5, i)), b)
            }
        }
    }
}
