// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IForkProofs} from "../interfaces/IForkProofs.sol";

/**
 * @title ForkProofs - checks proofs that a member signed two log nodes with one sequence number.
 * @author Rings
 * @notice The log-node signature is EIP-712 `LogNode(uint64 seq,bytes32 digest)` in the ring's
 *         domain, exactly what ring nodes sign (node/src/core/logNode.ts). What happens to the
 *         forker is the ring's business ({_ejectForkedMember}).
 */
abstract contract ForkProofs is EIP712, IForkProofs {
    // The type string is fixed by EIP-712 and hashed at compile time.
    bytes32 internal constant _LOG_NODE_TYPEHASH = keccak256("LogNode(uint64 seq,bytes32 digest)"); // solhint-disable-line gas-small-strings

    /// @inheritdoc IForkProofs
    function proveFork(
        address member,
        uint64 seq,
        bytes32 digestA,
        bytes calldata signatureA,
        bytes32 digestB,
        bytes calldata signatureB
    ) external {
        if (digestA == digestB) revert ForkProofDigestsEqual(digestA);
        _requireLogNodeSigner(member, seq, digestA, signatureA);
        _requireLogNodeSigner(member, seq, digestB, signatureB);
        _ejectForkedMember(member);
        emit ForkProven(member, seq, digestA, digestB);
    }

    /// @dev Removes the proven forker (reverts if it is not a member).
    function _ejectForkedMember(address member) internal virtual;

    function _requireLogNodeSigner(address member, uint64 seq, bytes32 digest, bytes calldata signature)
        private
        view
    {
        bytes32 hash = _hashTypedDataV4(keccak256(abi.encode(_LOG_NODE_TYPEHASH, seq, digest)));
        address signer = ECDSA.recoverCalldata(hash, signature);
        if (signer != member) revert ForkProofWrongSigner(signer, member);
    }
}
