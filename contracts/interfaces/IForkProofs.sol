// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Topics are the keys clients filter by (members, rings, rounds); amounts, flags and nonces are data.
// solhint-disable gas-indexed-events

/**
 * @title IForkProofs - anyone can prove that a member forked its single-writer log.
 * @author Rings
 * @notice A member signs each log node as EIP-712 `LogNode(uint64 seq,bytes32 digest)` in the
 *         ring's domain. Two such signatures for one `seq` with different digests prove a fork.
 *         A proven forker is recorded for good and can never re-enter the ring (see {isProvenForker}):
 *         its two signatures stay valid forever and carry no membership term, so any re-admission
 *         could be undone by anyone replaying the proof, and replicas could not tell which branch
 *         of its log is the real one. An operator whose key forked returns under a new key.
 */
interface IForkProofs {
    /// @notice `member` signed two different log nodes (`digestA`, `digestB`) with the same `seq`, and was ejected.
    /// @param member The member's address.
    /// @param seq The sequence number both log nodes claim.
    /// @param digestA sha2-256 digest of the first node's unsigned body.
    /// @param digestB sha2-256 digest of the second node's unsigned body.
    event ForkProven(address indexed member, uint64 seq, bytes32 digestA, bytes32 digestB);

    /// @notice `member` was proven to have forked its log and cannot enter the ring again.
    error ProvenForker(address member);

    /// @notice Both digests are the same node: no fork.
    error ForkProofDigestsEqual(bytes32 digest);

    /// @notice A fork-proof signature was made by `signer`, not by the accused member.
    error ForkProofWrongSigner(address signer, address member);

    /**
     * @notice Proves that `member` forked its log: ejects it, records it as a proven forker (refused
     *         entry from then on) and emits {ForkProven}.
     * @param member The accused member (must still be a member).
     * @param seq The sequence number both nodes claim.
     * @param digestA sha2-256 digest of the first node's unsigned body.
     * @param signatureA The member's 65-byte (r, s, v) LogNode signature over (seq, digestA).
     * @param digestB The second node's digest, different from `digestA`.
     * @param signatureB The member's 65-byte LogNode signature over (seq, digestB).
     */
    function proveFork(
        address member,
        uint64 seq,
        bytes32 digestA,
        bytes calldata signatureA,
        bytes32 digestB,
        bytes calldata signatureB
    ) external;

    /// @notice Whether `account` was proven to have forked its log in this ring (it can then never re-enter).
    /// @param account Any address.
    function isProvenForker(address account) external view returns (bool);
}
