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
 *         `AggregateVote(uint64 round,uint64 membershipEpoch,bytes32 ringNodeHead,bytes32 headsRoot,bytes32 outputsHash)`
 *         in the ring's domain (chain id, ring address), with the BLS key it registered (see
 *         {IBlsKeyRegistry}); the ring log node the round appends commits every member's head, and
 *         `headsRoot`, the {HeadsMerkle} root of its (member, head) pairs, which the node also
 *         carries, is what the ring stores of them: one slot per round instead of one per member.
 *         {proveHead} materialises a member's head into {IRing-logNodeHeads} on demand. A member without a registered key counts in the
 *         2/3 quorum's denominator but cannot sign. Leaving the ring (any path) removes the key;
 *         the last key takes its index and the membership epoch moves on, so old bitmaps die with it.
 */
interface IBlsRing is IRing, IBlsKeyRegistry {
    /// @notice What proves the signers of a round: who signed, the others' keys, the aggregate.
    /// @param signerBitmap The signers, by key index (ceil(keys / 256) words; bit i of word i / 256).
    /// @param nonSignerKeys The registered keys of the bitmap's unset bits, by ascending index.
    /// @param signature The aggregate G2 signature (EIP-2537 encoding) over the round's AggregateVote digest.
    struct Aggregate {
        uint256[] signerBitmap;
        BLS12381.G1Point[] nonSignerKeys;
        uint256[8] signature;
    }

    /// @notice A round was flushed by the members whose keys `signerBitmap` sets.
    /// @param round The round.
    /// @param headsRoot The root of the round's (member, head) pairs, now the ring's {headsRoot}.
    /// @param signerBitmap Bit i of word i / 256: key index i signed.
    event AggregateAgreed(uint64 indexed round, bytes32 headsRoot, uint256[] signerBitmap);

    /// @notice A head proof names another round than the one whose root the ring holds.
    /// @param round The round the proof is for.
    /// @param rootRound The round of the ring's current heads root (0: none yet).
    error StaleHeadProof(uint64 round, uint64 rootRound);

    /// @notice The proof does not show (`member`, `head`) under the ring's heads root.
    /// @param member The member.
    /// @param head The head.
    error InvalidHeadProof(address member, bytes32 head);

    /// @notice `member`'s on-chain head was set at or after `round` already (by a proof or {IRing-updateLogHead}).
    /// @param member The member.
    /// @param round The round of the proof.
    error HeadAlreadyCurrent(address member, uint64 round);

    /**
     * @notice Records a round agreed by at least 2/3 of the members, proven by one aggregate signature.
     * @dev Costs the same at 4 and at 256 members when all sign (one pairing check, no per-signer
     *      state); each non-signer adds its key's calldata, one stored hash's read and a G1 addition.
     *      Member heads are not written one by one: `headsRoot` (signed, so a relayer cannot put
     *      another) is stored in one slot, and {proveHead} turns any member's head into
     *      {IRing-logNodeHeads} later. Each signed dissent is recorded as {IRing-flush} records it.
     * @param newRound The round, above the last one.
     * @param newRingNodeHead The ring log node of the round (non-zero).
     * @param headsRoot The {HeadsMerkle} root of the ring log node's (member, head) pairs.
     * @param outputs The outputs the round emits (see {IRing-flush}).
     * @param aggregate The signers, the non-signers' keys and the aggregate signature.
     * @param dissents Members' ECDSA-signed votes for something else in this round (see {IRing-flush}):
     *        ascending by member, none of them a signer of the bitmap.
     */
    function flushAggregate(
        uint64 newRound,
        bytes32 newRingNodeHead,
        bytes32 headsRoot,
        Outputs calldata outputs,
        Aggregate calldata aggregate,
        Dissent[] calldata dissents
    ) external;

    /**
     * @notice Materialises `member`'s head of the round whose heads root the ring holds into
     *         {IRing-logNodeHeads}, emitting {IRingLogs-LogHeadUpdated}; anyone may call it (the
     *         proof is the authority).
     * @dev log2(members) keccaks (~30 gas each, 8 at 256 members) and two writes: the head and the
     *      round it was set at (the latter keeps a proof from taking back a newer
     *      {IRing-updateLogHead}). 22,100 gas a slot the first time, 2,900 after: paid by whoever
     *      needs the head on chain, once, instead of by every flush for every member.
     * @param member The member (must be one now).
     * @param atRound The round of the root the proof is against: the ring's current one.
     * @param head The member's head in that round's ring log node.
     * @param proof The sibling hashes from the leaf up (node/src/core/headsMerkle.ts).
     */
    function proveHead(address member, uint64 atRound, bytes32 head, bytes32[] calldata proof) external;

    /// @notice The heads root of the last aggregate flush and its round (zero, 0 before the first).
    /// @return root The root.
    /// @return atRound Its round.
    function headsRoot() external view returns (bytes32 root, uint64 atRound);

    /**
     * @notice The message members sign for a round: the EIP-712 AggregateVote digest in this ring's domain.
     * @param round The round.
     * @param membershipEpoch The membership epoch signed under (a flush uses the current one).
     * @param ringNodeHead The ring log node of the round.
     * @param headsRoot_ The root of the ring log node's (member, head) pairs.
     * @param outputsHash keccak256(abi.encode(gate, pins, cids)).
     */
    function aggregateVoteDigest(
        uint64 round,
        uint64 membershipEpoch,
        bytes32 ringNodeHead,
        bytes32 headsRoot_,
        bytes32 outputsHash
    ) external view returns (bytes32);
}
