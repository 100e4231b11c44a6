// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// solhint-disable gas-indexed-events

import {BLS12381} from "../libraries/BLS12381.sol";

/**
 * @title IBlsKeyRegistry - members' BLS12-381 public keys, registered with a proof of possession,
 *         and the check of an aggregate signature by a bitmap of them.
 * @author Rings
 * @notice A key is a G1 point (min-pk, see {BLS12381}). It is registered by its member with a proof
 *         of possession: a G2 signature, under the DST `BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`,
 *         over the key's 48-byte compressed encoding followed by the member's 20-byte address (so
 *         nobody can register someone else's key first). Without it a rogue key (one chosen as
 *         another key's negation plus its own) could forge an aggregate. Keys are numbered in
 *         registration order; a signer bitmap's bit i is key i. Messages are signed under
 *         `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`.
 */
interface IBlsKeyRegistry {
    /// @notice `member` registered `key` as key number `index`.
    /// @param member The member's address.
    /// @param index The key's bit in signer bitmaps.
    /// @param key The public key (EIP-2537 encoding).
    event BlsKeyRegistered(address indexed member, uint256 index, BLS12381.G1Point key);

    /// @notice `member`'s key was removed; the key that was last now has `index` (when it was not itself).
    /// @param member The member whose key was removed.
    /// @param index The index it had.
    event BlsKeyRemoved(address indexed member, uint256 index);

    /// @notice Only a current member registers a key.
    error NotABlsRegistrant(address account);

    /// @notice `member` already has a key (one key per member).
    error BlsKeyAlreadyRegistered(address member);

    /// @notice Another member registered this key already.
    error BlsKeyTaken(bytes32 keyHash);

    /// @notice The public key is the point at infinity (it would sign for anything).
    error PublicKeyAtInfinity();

    /// @notice The public key is not a canonical encoding of a point on the G1 curve.
    error PublicKeyNotOnCurve();

    /// @notice The public key is on the curve but not in the prime-order subgroup.
    error PublicKeyNotInSubgroup();

    /// @notice The signature is the point at infinity.
    error SignatureAtInfinity();

    /// @notice The signature is not a canonical encoding of a point on the G2 twist.
    error SignatureNotOnCurve();

    /// @notice The signature is on the twist but not in the prime-order subgroup.
    error SignatureNotInSubgroup();

    /// @notice The proof of possession does not verify for `member`'s key.
    error InvalidProofOfPossession(address member);

    /// @notice The signer bitmap has `length` words where `expected` are needed for the registered keys.
    error SignerBitmapLengthMismatch(uint256 length, uint256 expected);

    /// @notice The signer bitmap sets bit `index`, and no key has that index.
    error SignerNotRegistered(uint256 index);

    /// @notice The flush carries `given` non-signer keys: not one for each unset bit of the bitmap.
    error NonSignerKeysLengthMismatch(uint256 given);

    /// @notice The key given for non-signer `index` is not the one registered at that index.
    error NonSignerKeyMismatch(uint256 index);

    /// @notice `signers` of the members signed: below the 2/3 quorum of `required`.
    error InsufficientSigners(uint256 signers, uint256 required);

    /// @notice The signers' keys add up to the point at infinity.
    error AggregateKeyAtInfinity();

    /// @notice The aggregate signature does not verify for the bitmap's keys over the message.
    error InvalidAggregateSignature();

    /**
     * @notice Registers the caller's BLS public key.
     * @param key The public key: on the curve, in the subgroup, not infinity.
     * @param proofOfPossession The key's signature over compress(key) ‖ caller (see the notice above).
     */
    function registerBlsKey(BLS12381.G1Point calldata key, uint256[8] calldata proofOfPossession) external;

    /// @notice The number of registered keys (the bits of a signer bitmap).
    function blsKeyCount() external view returns (uint256);

    /**
     * @notice A member's key and its bitmap index.
     * @param member Any address.
     * @return registered Whether `member` has a key.
     * @return index Its bit in signer bitmaps.
     * @return key The key (infinity when none).
     */
    function blsKeyOf(address member)
        external
        view
        returns (bool registered, uint256 index, BLS12381.G1Point memory key);

    /// @notice The member whose key has `index`.
    /// @param index A key index below {blsKeyCount}.
    function blsKeyHolder(uint256 index) external view returns (address);

    /// @notice The sum of all registered keys (infinity when there is none).
    function aggregateBlsKey() external view returns (BLS12381.G1Point memory);
}
