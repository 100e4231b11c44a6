// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title HeadsMerkle - one commitment to every member's log head of a round (a BLS ring's flat state).
 * @author Rings
 * @notice The members' (member, head) pairs, sorted by member address ascending, are the leaves
 *         `keccak256(abi.encode(member, head))`; each level pairs neighbours (2i, 2i + 1) with
 *         OpenZeppelin's commutative keccak256 (the smaller word first), and a last, unpaired node
 *         moves up unchanged. The root of one pair is its leaf; of none, zero. A proof is the
 *         siblings from the leaf up (node/src/core/headsMerkle.ts builds the same root and proofs).
 *         A leaf's preimage starts with an address (96 zero bits), an inner node's with a hash: one
 *         cannot pass for the other.
 */
library HeadsMerkle {
    /// @dev The leaf of `member`'s `head`.
    function leaf(address member, bytes32 head) internal pure returns (bytes32 hashed) {
        assembly ("memory-safe") {
            mstore(0x00, and(member, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x20, head)
            hashed := keccak256(0x00, 0x40)
        }
    }

    /// @dev Whether `proof` shows (`member`, `head`) under `root`: log2(members) keccaks, ~30 gas each.
    function verify(bytes32[] calldata proof, bytes32 root, address member, bytes32 head) internal pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf(member, head));
    }
}
