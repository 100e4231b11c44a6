// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IVoteVerifier - EIP-712 votes of ring members, as 64-byte EIP-2098 compact signatures.
 * @author Rings
 * @notice Domain: name "Rings", version "1", the chain id and the ring's address, so a signature
 *         is bound to one ring on one chain. Signers are recovered, never passed, and must be
 *         strictly ascending: a duplicate or unsorted signer fails in the same pass.
 *         Typed data:
 *         `Vote(uint64 round,uint64 membershipEpoch,bytes32 ringNodeHead,bytes32 outputsHash,bytes32 logHead)`.
 *         `membershipEpoch` is the ring's membership epoch the vote was signed under (see
 *         {IRing-membershipEpoch}): a vote counts only while the member list is the one it saw.
 */
interface IVoteVerifier {
    /// @notice A compact (EIP-2098) signature: `vs` = (v - 27) << 255 | s.
    struct Signature {
        bytes32 r;
        bytes32 vs;
    }

    /// @notice A member's vote with the majority: its own log head and its signature over
    ///         Vote(round, membershipEpoch, ringNodeHead, outputsHash, logHead).
    struct Vote {
        bytes32 logHead;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice An outvoted vote of the same round: the member signed a different ring head or
    ///         different outputs.
    struct Dissent {
        bytes32 ringNodeHead;
        bytes32 outputsHash;
        bytes32 logHead;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice The signature at `index` does not recover to any address.
    error InvalidSignature(uint256 index);

    /// @notice The signature at `index` has an `s` in the upper half of the curve order (malleable).
    error MalleableSignature(uint256 index);

    /// @notice `signer` signed twice.
    error DuplicateSigner(address signer);

    /// @notice `signer` recovered at a lower address than the signer before it.
    error SignersNotAscending(address signer);

    /// @notice The ring's majority: a vote passes iff signers * DENOMINATOR >= members * NUMERATOR (and signers > 0).
    function RING_MAJORITY_NUMERATOR() external view returns (uint256); // solhint-disable-line func-name-mixedcase

    /// @notice See {RING_MAJORITY_NUMERATOR}.
    function RING_MAJORITY_DENOMINATOR() external view returns (uint256); // solhint-disable-line func-name-mixedcase

    /**
     * @notice The vote verification a flush runs, alone: recovers each vote's signer and checks
     *         the signers ascend. It reads no storage; membership and the majority are checked by
     *         the flush's state step.
     * @param round The round voted on.
     * @param membershipEpoch The membership epoch the votes were signed under (a flush uses the ring's current one).
     * @param ringNodeHead The ring head voted on.
     * @param outputsHash keccak256(abi.encode(gate, pins, cids)) of the outputs voted on.
     * @param votes The votes, ordered by signer address.
     * @return signers The recovered signers, ascending.
     */
    function verifyVotes(
        uint64 round,
        uint64 membershipEpoch,
        bytes32 ringNodeHead,
        bytes32 outputsHash,
        Vote[] calldata votes
    ) external view returns (address[] memory signers);
}
