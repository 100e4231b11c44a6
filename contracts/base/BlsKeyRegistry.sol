// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBlsKeyRegistry} from "../interfaces/IBlsKeyRegistry.sol";
import {BLS12381} from "../libraries/BLS12381.sol";
import {SignerBitmap} from "../libraries/SignerBitmap.sol";

/**
 * @title BlsKeyRegistry - members' BLS keys (with proof of possession) and aggregate verification.
 * @author Rings
 * @notice The aggregate key of a bitmap's signers is derived as the stored sum of all keys plus the
 *         stored negations of the non-signers' keys: the 2/3 quorum makes signers the majority, so
 *         reading non-signers (3 cold slots, 6,300 gas, and one 375-gas G1ADD each) always reads
 *         fewer keys than summing the signers would (at 256 members: 0 to 85 keys read instead of
 *         171 to 256). All members signing costs the same at 4 and at 256 members but for the
 *         bitmap's calldata. Keys are stored negated, three slots each: (x_hi << 128 | y_hi, x_lo, y_lo).
 */
abstract contract BlsKeyRegistry is IBlsKeyRegistry {
    /// @dev A G1 point in three slots: both 128-bit high halves in one.
    struct PackedKey {
        uint256 highs;
        uint256 xLo;
        uint256 yLo;
    }

    uint256 private constant _LOW_128 = type(uint128).max;

    /// @dev index + 1 of a member's key; 0: no key.
    mapping(address member => uint256 indexPlusOne) private _blsIndexPlusOne;
    address[] private _blsHolders;
    /// @dev -key of every index: adding it removes a non-signer from the aggregate.
    mapping(uint256 index => PackedKey negatedKey) private _negatedKeys;
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
        }
        _blsHolders.pop();
        delete _negatedKeys[last];
        delete _blsIndexPlusOne[member];
        emit BlsKeyRemoved(member, index);
    }

    /**
     * @dev Reverts unless `signature` is a valid aggregate over `digest` (32 bytes, as the message) by
     *      the keys `bitmap` sets, and they meet the 2/3 quorum of `members`. Returns the signer count.
     *      Cost: the signature's on-curve check (G2ADD, 600), hash-to-curve (~51,000), the aggregate
     *      key (3 cold slots, then ~7,000 per non-signer) and one two-pair PAIRING (102,900).
     */
    function _verifyAggregate(bytes32 digest, uint256[] calldata bitmap, uint256[8] calldata signature, uint256 members)
        internal
        view
        returns (uint256 signers)
    {
        uint256 size = _blsHolders.length;
        signers = _countSigners(bitmap, size);
        if (!SignerBitmap.meetsQuorum(signers, members)) {
            revert InsufficientSigners(signers, SignerBitmap.requiredSigners(members));
        }
        uint256[8] memory sig = signature;
        if (BLS12381.isInfinity(sig)) revert SignatureAtInfinity();
        if (!BLS12381.isOnCurve(sig)) revert SignatureNotOnCurve();
        BLS12381.G1Point memory key = _signersKey(bitmap, size);
        if (BLS12381.isInfinity(key)) revert AggregateKeyAtInfinity();
        uint256[8] memory hashed = BLS12381.hashToG2(abi.encodePacked(digest), BLS12381.SIGNATURE_DST);
        // The key is a sum of checked keys and the hash a mapped point: a refused input is the signature.
        (bool ok, bool valid) = BLS12381.pairingCheck(key, hashed, sig);
        if (!ok) revert SignatureNotInSubgroup();
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

    /// @dev The sum of all keys plus the negated keys of the bitmap's non-signers.
    function _signersKey(uint256[] calldata bitmap, uint256 size) private view returns (BLS12381.G1Point memory key) {
        key = _unpack(_aggregateKey);
        uint256 words = bitmap.length;
        for (uint256 w = 0; w < words; ++w) {
            uint256 missing = ~bitmap[w] & SignerBitmap.validMask(size, w);
            while (missing != 0) {
                uint256 index = (w << 8) + SignerBitmap.lowestBit(missing);
                missing &= missing - 1;
                key = BLS12381.add(key, _unpack(_negatedKeys[index]));
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
