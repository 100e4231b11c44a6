// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBlsKeyRegistry} from "../interfaces/IBlsKeyRegistry.sol";
import {BLS12381} from "../libraries/BLS12381.sol";
import {SignerBitmap} from "../libraries/SignerBitmap.sol";

/**
 * @title BlsKeyRegistry - members' BLS keys (with proof of possession) and aggregate verification.
 * @author Rings
 * @notice The aggregate key of a bitmap's signers is derived as the stored sum of all keys minus the
 *         non-signers' keys: the 2/3 quorum makes signers the majority, so handling non-signers
 *         always touches fewer keys than summing the signers would (at 256 members: 0 to 85 keys
 *         instead of 171 to 256). The relayer passes the non-signers' keys in calldata, each checked
 *         against its stored keccak256 (one cold slot, 2,100 gas, and ~1,700 of calldata, against
 *         6,300 for reading the key's three slots: measured 7,797 -> 5,156 gas per non-signer,
 *         with the G1ADD). All members signing costs the same at 4 and at 256 members but for the
 *         bitmap's calldata. Keys are also stored negated, three slots each
 *         (x_hi << 128 | y_hi, x_lo, y_lo), for {blsKeyOf} and removal.
 */
abstract contract BlsKeyRegistry is IBlsKeyRegistry {
    /// @dev A G1 point in three slots: both 128-bit high halves in one.
    struct PackedKey {
        uint256 highs;
        uint256 xLo;
        uint256 yLo;
    }

    uint256 private constant _LOW_128 = type(uint128).max;
    /// @dev The base field modulus p = _P_HI * 2^256 + _P_LO (as in BLS12381).
    uint256 private constant _P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 private constant _P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    /// @dev index + 1 of a member's key; 0: no key.
    mapping(address member => uint256 indexPlusOne) private _blsIndexPlusOne;
    address[] private _blsHolders;
    /// @dev -key of every index: adding it removes a non-signer from the aggregate.
    mapping(uint256 index => PackedKey negatedKey) private _negatedKeys;
    /// @dev keccak256(abi.encode(key)) of every index: what a flush checks a non-signer's calldata key against.
    mapping(uint256 index => bytes32 keyHash) private _keyHashes;
    mapping(bytes32 keyHash => bool taken) private _blsKeyTaken;
    PackedKey private _aggregateKey;

    /// @inheritdoc IBlsKeyRegistry
    function blsKeyCount() external view returns (uint256) {
        return _blsHolders.length;
    }

    /// @inheritdoc IBlsKeyRegistry
    function blsKeyOf(address member)
        external
        view
        returns (bool registered, uint256 index, BLS12381.G1Point memory key)
    {
        uint256 indexPlusOne = _blsIndexPlusOne[member];
        if (indexPlusOne == 0) return (false, 0, key);
        index = indexPlusOne - 1;
        return (true, index, BLS12381.negate(_unpack(_negatedKeys[index])));
    }

    /// @inheritdoc IBlsKeyRegistry
    function blsKeyHolder(uint256 index) external view returns (address) {
        return _blsHolders[index];
    }

    /// @inheritdoc IBlsKeyRegistry
    function aggregateBlsKey() external view returns (BLS12381.G1Point memory) {
        return _unpack(_aggregateKey);
    }

    /// @dev index + 1 of `member`'s key; 0: none.
    function _blsIndexPlusOneOf(address member) internal view returns (uint256) {
        return _blsIndexPlusOne[member];
    }

    /// @dev Checks `key` and its proof of possession by `member`, then gives it the next index.
    function _registerBlsKey(address member, BLS12381.G1Point memory key, uint256[8] memory proofOfPossession)
        internal
    {
        if (_blsIndexPlusOne[member] != 0) revert BlsKeyAlreadyRegistered(member);
        _requireValidKey(key);
        bytes32 keyHash = keccak256(abi.encode(key));
        if (_blsKeyTaken[keyHash]) revert BlsKeyTaken(keyHash);
        _requireValidSignature(proofOfPossession);
        uint256[8] memory hashed = BLS12381.hashToG2(abi.encodePacked(BLS12381.compress(key), member), BLS12381.POP_DST);
        (, bool valid) = BLS12381.pairingCheck(key, hashed, proofOfPossession);
        if (!valid) revert InvalidProofOfPossession(member);

        uint256 index = _blsHolders.length;
        _blsHolders.push(member);
        _blsIndexPlusOne[member] = index + 1;
        _blsKeyTaken[keyHash] = true;
        _negatedKeys[index] = _pack(BLS12381.negate(key));
        _keyHashes[index] = keyHash;
        _aggregateKey = _pack(BLS12381.add(_unpack(_aggregateKey), key));
        emit BlsKeyRegistered(member, index, key);
    }

    /// @dev Removes `member`'s key, if it has one; the last key takes its index (bitmaps change: callers move their epoch on).
    function _removeBlsKey(address member) internal {
        uint256 indexPlusOne = _blsIndexPlusOne[member];
        if (indexPlusOne == 0) return;
        uint256 index = indexPlusOne - 1;
        BLS12381.G1Point memory negated = _unpack(_negatedKeys[index]);
        _aggregateKey = _pack(BLS12381.add(_unpack(_aggregateKey), negated));
        delete _blsKeyTaken[keccak256(abi.encode(BLS12381.negate(negated)))];
        uint256 last = _blsHolders.length - 1;
        if (index != last) {
            address moved = _blsHolders[last];
            _blsHolders[index] = moved;
            _blsIndexPlusOne[moved] = index + 1;
            _negatedKeys[index] = _negatedKeys[last];
            _keyHashes[index] = _keyHashes[last];
        }
        _blsHolders.pop();
        delete _negatedKeys[last];
        delete _keyHashes[last];
        delete _blsIndexPlusOne[member];
        emit BlsKeyRemoved(member, index);
    }

    /**
     * @dev Reverts unless `signature` is a valid aggregate over `digest` (32 bytes, as the message) by
     *      the keys `bitmap` sets, and they meet the 2/3 quorum of `members`. Returns the signer count.
     *      Cost: hash-to-curve (~51,000), the aggregate key (3 cold slots, then ~5,200 per
     *      non-signer) and one two-pair PAIRING (102,900), which also checks the signature is on the
     *      twist and in the subgroup.
     */
    function _verifyAggregate(
        bytes32 digest,
        uint256[] calldata bitmap,
        BLS12381.G1Point[] calldata nonSignerKeys,
        uint256[8] calldata signature,
        uint256 members
    ) internal view returns (uint256 signers) {
        uint256 size = _blsHolders.length;
        signers = _countSigners(bitmap, size);
        if (!SignerBitmap.meetsQuorum(signers, members)) {
            revert InsufficientSigners(signers, SignerBitmap.requiredSigners(members));
        }
        uint256[8] memory sig = signature;
        if (BLS12381.isInfinity(sig)) revert SignatureAtInfinity();
        BLS12381.G1Point memory key = _signersKey(bitmap, size, nonSignerKeys);
        if (BLS12381.isInfinity(key)) revert AggregateKeyAtInfinity();
        uint256[8] memory hashed = BLS12381.hashToG2(abi.encodePacked(digest), BLS12381.SIGNATURE_DST);
        // The key is a sum of checked keys and the hash a mapped point: a refused input is the
        // signature. PAIRING checks it is on the twist and in the subgroup, so the on-curve check
        // (G2ADD, ~800 gas with its copy) runs only to name the refusal.
        (bool ok, bool valid) = BLS12381.pairingCheck(key, hashed, sig);
        if (!ok) {
            if (!BLS12381.isOnCurve(sig)) revert SignatureNotOnCurve();
            revert SignatureNotInSubgroup();
        }
        if (!valid) revert InvalidAggregateSignature();
    }

    function _requireValidKey(BLS12381.G1Point memory key) private view {
        if (BLS12381.isInfinity(key)) revert PublicKeyAtInfinity();
        if (!BLS12381.isOnCurve(key)) revert PublicKeyNotOnCurve();
        if (!BLS12381.isInSubgroup(key)) revert PublicKeyNotInSubgroup();
    }

    function _requireValidSignature(uint256[8] memory signature) private view {
        if (BLS12381.isInfinity(signature)) revert SignatureAtInfinity();
        if (!BLS12381.isOnCurve(signature)) revert SignatureNotOnCurve();
        if (!BLS12381.isInSubgroup(signature)) revert SignatureNotInSubgroup();
    }

    /// @dev The set bits of a bitmap over `size` keys, refusing a wrong length and bits without a key.
    function _countSigners(uint256[] calldata bitmap, uint256 size) private pure returns (uint256 signers) {
        uint256 words = SignerBitmap.wordCount(size);
        if (bitmap.length != words) revert SignerBitmapLengthMismatch(bitmap.length, words);
        for (uint256 w = 0; w < words; ++w) {
            uint256 bits = bitmap[w];
            uint256 stray = bits & ~SignerBitmap.validMask(size, w);
            if (stray != 0) revert SignerNotRegistered((w << 8) + SignerBitmap.lowestBit(stray));
            signers += SignerBitmap.popCount(bits);
        }
    }

    /**
     * @dev The sum of all keys minus the bitmap's non-signers' keys, which come in calldata (ascending
     *      index) and are checked against their stored hashes: one cold slot per non-signer instead of
     *      the key's three.
     */
    function _signersKey(uint256[] calldata bitmap, uint256 size, BLS12381.G1Point[] calldata nonSignerKeys)
        private
        view
        returns (BLS12381.G1Point memory key)
    {
        key = _unpack(_aggregateKey);
        uint256 words = bitmap.length;
        uint256 next;
        uint256 given = nonSignerKeys.length;
        // One buffer for the whole loop: sum (0x80) | the next key, negated in place (0x80); G1ADD
        // writes the sum back. Measured per non-signer: 7,797 gas reading the stored key, 6,172 with
        // the key in calldata and Solidity's copies, 5,156 with this loop.
        uint256 buffer;
        assembly ("memory-safe") {
            buffer := mload(0x40)
            mstore(0x40, add(buffer, 0x100))
            mcopy(buffer, key, 0x80)
        }
        for (uint256 w = 0; w < words; ++w) {
            uint256 missing = ~bitmap[w] & SignerBitmap.validMask(size, w);
            while (missing != 0) {
                uint256 index = (w << 8) + SignerBitmap.lowestBit(missing);
                missing &= missing - 1;
                if (next == given) revert NonSignerKeysLengthMismatch(given);
                bool matches = _addNegated(buffer, nonSignerKeys, next, _keyHashes[index]);
                if (!matches) revert NonSignerKeyMismatch(index);
                ++next;
            }
        }
        assembly ("memory-safe") {
            mcopy(key, buffer, 0x80)
        }
        if (next != given) revert NonSignerKeysLengthMismatch(given);
    }

    /**
     * @dev If non-signer key `at` hashes to `keyHash`: buffer's sum += -key (G1ADD) and true. A key that
     *      hashes right is a registered one (on the curve, y != 0), so negation is p - y and G1ADD succeeds.
     */
    function _addNegated(uint256 buffer, BLS12381.G1Point[] calldata keys, uint256 at, bytes32 keyHash)
        private
        view
        returns (bool matches)
    {
        assembly ("memory-safe") {
            let slot := add(buffer, 0x80)
            calldatacopy(slot, add(keys.offset, shl(7, at)), 0x80)
            matches := eq(keccak256(slot, 0x80), keyHash)
            if matches {
                let yHi := mload(add(slot, 0x40))
                let yLo := mload(add(slot, 0x60))
                let borrow := gt(yLo, _P_LO)
                mstore(add(slot, 0x40), sub(sub(_P_HI, yHi), borrow))
                mstore(add(slot, 0x60), sub(_P_LO, yLo))
                if iszero(staticcall(gas(), 0x0b, buffer, 0x100, buffer, 0x80)) { revert(0, 0) }
            }
        }
    }

    function _pack(BLS12381.G1Point memory point) private pure returns (PackedKey memory) {
        return PackedKey((point.xHi << 128) | point.yHi, point.xLo, point.yLo);
    }

    function _unpack(PackedKey storage packed) private view returns (BLS12381.G1Point memory) {
        uint256 highs = packed.highs;
        return BLS12381.G1Point(highs >> 128, packed.xLo, highs & _LOW_128, packed.yLo);
    }
}
