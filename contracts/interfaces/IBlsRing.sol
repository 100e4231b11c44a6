// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// solhint-disable gas-indexed-events

import {BLS12381} from "../libraries/BLS12381.sol";
import {IBlsKeyRegistry} from "./IBlsKeyRegistry.sol";
import {IRing} from "./IRing.sol";

/**
 * @title IBlsRing - a ring whose rounds are flushed with one BLS12-381 aggregate signature.
 * @author Rings
 * @notice Every member signs the same EIP-712 message for a round,
 *         `AggregateVote(uint64 round,uint64 membershipEpoch,bytes32 ringNodeHead,bytes32 outputsHash)`
 *         in the ring's domain (chain id, ring address), with the BLS key it registered (see
 *         {IBlsKeyRegistry}); the ring log node the round appends commits every member's head, so
 *         agreeing on it is agreeing on every head. A member without a registered key counts in the
 *         2/3 quorum's denominator but cannot sign. Leaving the ring (any path) removes the key;
 *         the last key takes its index and the membership epoch moves on, so old bitmaps die with it.
 */
interface IBlsRing is IRing, IBlsKeyRegistry {
    /// @notice A round was flushed by the members whose keys `signerBitmap` sets.
    /// @param round The round.
    /// @param signerBitmap Bit i of word i / 256: key index i signed.
    event AggregateAgreed(uint64 indexed round, uint256[] signerBitmap);

    /**
     * @notice Records a round agreed by at least 2/3 of the members, proven by one aggregate signature.
     * @dev Costs the same at 4 and at 256 members when all sign (one pairing check, no per-signer
     *      state); each non-signer adds its key's calldata, one stored hash's read and a G1 addition.
     *      Per-member log heads and agreement counts are not written by this path (see
     *      {IRing-logNodeHeads}: members keep theirs current with {IRing-updateLogHead}).
     * @param newRound The round, above the last one.
     * @param newRingNodeHead The ring log node of the round (non-zero).
     * @param outputs The outputs the round emits (see {IRing-flush}).
     * @param signerBitmap The signers, by key index (ceil(keys / 256) words).
     * @param nonSignerKeys The registered keys of the bitmap's unset bits, by ascending index.
     * @param signature The aggregate G2 signature (EIP-2537 encoding) over the round's AggregateVote digest.
     */
    function flushAggregate(
        uint64 newRound,
        bytes32 newRingNodeHead,
        Outputs calldata outputs,
        uint256[] calldata signerBitmap,
        BLS12381.G1Point[] calldata nonSignerKeys,
        uint256[8] calldata signature
    ) external;

    /**
     * @notice The message members sign for a round: the EIP-712 AggregateVote digest in this ring's domain.
     * @param round The round.
     * @param membershipEpoch The membership epoch signed under (a flush uses the current one).
     * @param ringNodeHead The ring log node of the round.
     * @param outputsHash keccak256(abi.encode(gate, pins, cids)).
     */
    function aggregateVoteDigest(uint64 round, uint64 membershipEpoch, bytes32 ringNodeHead, bytes32 outputsHash)
        external
        view
        returns (bytes32);
}
