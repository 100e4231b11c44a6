// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IForkProofs} from "../interfaces/IForkProofs.sol";

/**
 * @title ForkProofs - checks proofs that a member signed two log nodes with one sequence number.
 * @author Rings
 * @notice The log-node signature is EIP-712 `LogNode(uint64 seq,bytes32 digest)` in the ring's
 *         domain, exactly what ring nodes sign (node/src/core/logNode.ts). A proven forker is
 *         recorded, so the ring can refuse its re-entry ({_requireNotProvenForker}) and an old proof
 *         never ejects a re-admitted member; what else happens to the forker is the ring's business
 *         ({_ejectForkedMember}).
 * @dev The record is a mapping of its own, written only by the rare proof and read only on entry:
 *      the flush path never touches it.
 */
abstract contract ForkProofs is EIP712, IForkProofs {
    // The type string is fixed by EIP-712 and hashed at compile time.
    bytes32 internal constant _LOG_NODE_TYPEHASH = keccak256("LogNode(uint64 seq,bytes32 digest)"); // solhint-disable-line gas-small-strings

    mapping(address member => bool proven) private _provenForkers;

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
        _provenForkers[member] = true;
        _ejectForkedMember(member);
        emit ForkProven(member, seq, digestA, digestB);
    }

    /// @inheritdoc IForkProofs
    function isProvenForker(address account) external view returns (bool) {
        return _provenForkers[account];
    }

    /// @dev Removes the proven forker (reverts if it is not a member).
    function _ejectForkedMember(address member) internal virtual;

    /// @dev Reverts with {ProvenForker} if `member` was proven to have forked (one cold SLOAD, 2,100 gas, on entry only).
    function _requireNotProvenForker(address member) internal view {
        if (_provenForkers[member]) revert ProvenForker(member);
    }

    function _requireLogNodeSigner(address member, uint64 seq, bytes32 digest, bytes calldata signature)
        private
        view
    {
        bytes32 hash = _hashTypedDataV4(keccak256(abi.encode(_LOG_NODE_TYPEHASH, seq, digest)));
        address signer = ECDSA.recoverCalldata(hash, signature);
        if (signer != member) revert ForkProofWrongSigner(signer, member);
    }
}
