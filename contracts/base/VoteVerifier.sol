// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IVoteVerifier} from "../interfaces/IVoteVerifier.sol";

/**
 * @title VoteVerifier - recovers the signers of members' EIP-712 votes.
 * @author Rings
 * @notice The flush's hot loop reads no storage: the domain separator is computed once per call,
 *         and per vote only the log head changes in the pre-encoded Vote struct, which is hashed,
 *         wrapped as `0x1901 ‖ domainSeparator ‖ structHash`, and handed to the ecrecover
 *         precompile. Signers must strictly ascend, starting above the member list's sentinel
 *         address(1), so duplicates, address(0) and the sentinel all fail the same comparison.
 */
abstract contract VoteVerifier is EIP712, IVoteVerifier {
    /// @inheritdoc IVoteVerifier
    uint256 public constant RING_MAJORITY_NUMERATOR = 2;

    /// @inheritdoc IVoteVerifier
    uint256 public constant RING_MAJORITY_DENOMINATOR = 3;

    // The type strings are fixed by EIP-712 and hashed at compile time.
    bytes32 internal constant _VOTE_TYPEHASH =
        keccak256("Vote(uint64 round,uint64 membershipEpoch,bytes32 ringNodeHead,bytes32 outputsHash,bytes32 logHead)"); // solhint-disable-line gas-small-strings

    /// @dev What every member of a BLS ring signs for a round: the ring log node and the root of its member heads.
    bytes32 internal constant _AGGREGATE_VOTE_TYPEHASH =
        // solhint-disable-next-line gas-small-strings
        keccak256(
            "AggregateVote(uint64 round,uint64 membershipEpoch,bytes32 ringNodeHead,bytes32 headsRoot,bytes32 outputsHash)"
        );

    bytes32 internal constant _MEMBERSHIP_TYPEHASH =
        keccak256("Membership(bool enter,address member,uint64 membershipEpoch,uint256 deadline)"); // solhint-disable-line gas-small-strings

    /// @dev secp256k1 order / 2: a larger `s` is the malleable twin of a valid signature.
    uint256 private constant _HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    uint256 private constant _HALF_ORDER_PLUS_ONE = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A1;
    uint256 private constant _S_MASK = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF;

    uint256 private constant _FAILED_NONE = 0;
    uint256 private constant _FAILED_MALLEABLE = 1;
    uint256 private constant _FAILED_INVALID = 2;
    uint256 private constant _FAILED_UNSORTED = 3;
    uint256 private constant _FAILED_DUPLICATE = 4;

    /// @inheritdoc IVoteVerifier
    function verifyVotes(
        uint64 atRound,
        uint64 membershipEpoch_,
        bytes32 ringNodeHead_,
        bytes32 outputsHash,
        Vote[] calldata votes
    ) external view returns (address[] memory) {
        address[] memory signers = _recoverVoteSigners(atRound, membershipEpoch_, ringNodeHead_, outputsHash, votes);
        assembly ("memory-safe") {
            // The array is preceded by its ABI offset word (see _recoverVoteSigners): return it as is.
            return(sub(signers, 0x20), add(0x40, shl(5, mload(signers))))
        }
    }

    /**
     * @dev The signers of `votes` over (round, membershipEpoch, ringNodeHead, outputsHash, vote.logHead),
     *      ascending. Per vote: two keccaks (the struct's is one word longer for the epoch: 6 gas), one
     *      precompile call, no storage. The returned array is preceded in
     *      memory by the word 0x20, so `signers - 0x20` is the ABI encoding of `(address[])`, which
     *      callers can return or log without copying.
     */
    // One function, so the hot loop's values stay on the stack.
    // solhint-disable-next-line function-max-lines
    function _recoverVoteSigners(
        uint64 atRound,
        uint64 membershipEpoch_,
        bytes32 ringNodeHead_,
        bytes32 outputsHash,
        Vote[] calldata votes
    ) internal view returns (address[] memory signers) {
        bytes32 domainSeparator = _domainSeparatorV4();
        bytes32 typehash = _VOTE_TYPEHASH;
        uint256 failure;
        uint256 failedAt;
        address failedSigner;
        assembly ("memory-safe") {
            // Allocate: ABI offset word | length | signers (not zeroed: every word is written or we revert).
            let abiHead := mload(0x40)
            mstore(abiHead, 0x20)
            signers := add(abiHead, 0x20)
            mstore(signers, votes.length)
            let out := add(signers, 0x20)
            let end := add(out, shl(5, votes.length))
            mstore(0x40, end)

            // Scratch (not kept), from `end` on (offsets relative to it):
            //   structInput [0x00, 0xc0): typehash | round | membershipEpoch | ringNodeHead | outputsHash | logHead
            //   digestInput [0xc0, 0x102): 0x1901 | domainSeparator | structHash
            // and the precompile's input digest | v | r | s at the fixed addresses [0x00, 0x80), which
            // borrows the free memory pointer and zero slot words; both are restored after the loop.
            let structInput := end
            mstore(structInput, typehash)
            mstore(add(structInput, 0x20), and(atRound, 0xffffffffffffffff))
            mstore(add(structInput, 0x40), and(membershipEpoch_, 0xffffffffffffffff))
            mstore(add(structInput, 0x60), ringNodeHead_)
            mstore(add(structInput, 0x80), outputsHash)
            let logHeadSlot := add(structInput, 0xa0)
            let digestInput := add(structInput, 0xc0)
            mstore(digestInput, shl(240, 0x1901))
            mstore(add(digestInput, 0x02), domainSeparator)
            let structHashSlot := add(digestInput, 0x22)

            // One branch per vote: it leaves the loop at the end or at the first bad vote (malleable s,
            // unrecoverable, or not above the previous signer); the rare failure path then says which.
            let last := 1 // the sentinel: every signer must be above it
            let vote := votes.offset
            if lt(out, end) {
                for {} 1 {} {
                    mstore(logHeadSlot, calldataload(vote))
                    mstore(structHashSlot, keccak256(structInput, 0xc0))
                    mstore(0x00, keccak256(digestInput, 0x42))
                    let vs := calldataload(add(vote, 0x40))
                    let s := and(vs, _S_MASK)
                    mstore(0x20, add(shr(255, vs), 27))
                    mstore(0x40, calldataload(add(vote, 0x20)))
                    mstore(0x60, s)
                    // The signer lands in its array slot. An invalid signature makes the precompile
                    // return nothing (returndatasize 0, not 0x20) and leave the slot as it was.
                    pop(staticcall(gas(), 0x01, 0x00, 0x80, out, 0x20))
                    let signer := mload(out)
                    let ok := and(and(gt(signer, last), shr(5, returndatasize())), lt(s, _HALF_ORDER_PLUS_ONE))
                    out := add(out, 0x20)
                    vote := add(vote, 0x60)
                    if iszero(and(ok, lt(out, end))) {
                        if iszero(ok) {
                            out := sub(out, 0x20)
                            switch gt(s, _HALF_ORDER)
                            case 1 { failure := _FAILED_MALLEABLE }
                            default {
                                switch returndatasize()
                                case 0 { failure := _FAILED_INVALID }
                                default {
                                    failure := add(_FAILED_UNSORTED, eq(signer, last)) // equal: _FAILED_DUPLICATE
                                    failedSigner := signer
                                }
                            }
                        }
                        break
                    }
                    last := signer
                }
            }
            mstore(0x40, end)
            mstore(0x60, 0)
            failedAt := shr(5, sub(out, add(signers, 0x20)))
        }
        if (failure != _FAILED_NONE) _revertVoteFailure(failure, failedAt, failedSigner);
    }

    /**
     * @dev Recovers the signers of compact `signatures` over `digest`, ascending (not gas critical:
     *      membership votes).
     */
    function _recoverAscendingSigners(bytes32 digest, Signature[] calldata signatures)
        internal
        pure
        returns (address[] memory signers)
    {
        uint256 count = signatures.length;
        signers = new address[](count);
        address last = address(1);
        for (uint256 i = 0; i < count; ++i) {
            address signer = _recoverCompact(digest, signatures[i].r, signatures[i].vs, i);
            _requireAbove(signer, last);
            signers[i] = signer;
            last = signer;
        }
    }

    /// @dev The EIP-712 digest of a Vote in this ring's domain.
    function _voteDigest(
        uint64 atRound,
        uint64 membershipEpoch_,
        bytes32 ringNodeHead_,
        bytes32 outputsHash,
        bytes32 logHead
    ) internal view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(_VOTE_TYPEHASH, atRound, membershipEpoch_, ringNodeHead_, outputsHash, logHead))
        );
    }

    /// @dev The EIP-712 digest of an AggregateVote in this ring's domain: the message of a BLS ring's votes.
    function _aggregateVoteDigest(
        uint64 atRound,
        uint64 membershipEpoch_,
        bytes32 ringNodeHead_,
        bytes32 headsRoot_,
        bytes32 outputsHash
    ) internal view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(_AGGREGATE_VOTE_TYPEHASH, atRound, membershipEpoch_, ringNodeHead_, headsRoot_, outputsHash))
        );
    }

    /// @dev The EIP-712 digest of a Membership vote in this ring's domain.
    function _membershipDigest(bool enter, address member, uint64 membershipEpoch_, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(_MEMBERSHIP_TYPEHASH, enter, member, membershipEpoch_, deadline)));
    }

    /// @dev ecrecover of a compact signature, rejecting malleable `s` and unrecoverable signatures.
    function _recoverCompact(bytes32 digest, bytes32 r, bytes32 vs, uint256 index) internal pure returns (address) {
        uint256 s = uint256(vs) & _S_MASK;
        if (s > _HALF_ORDER) revert MalleableSignature(index);
        uint8 v = uint8((uint256(vs) >> 255) + 27);
        address signer = ecrecover(digest, v, r, bytes32(s));
        if (signer == address(0)) revert InvalidSignature(index);
        return signer;
    }

    /// @dev Reverts unless `signer` is strictly above `last`.
    function _requireAbove(address signer, address last) internal pure {
        if (signer == last) revert DuplicateSigner(signer);
        if (signer < last) revert SignersNotAscending(signer);
    }

    function _revertVoteFailure(uint256 failure, uint256 index, address signer) private pure {
        if (failure == _FAILED_MALLEABLE) revert MalleableSignature(index);
        if (failure == _FAILED_INVALID) revert InvalidSignature(index);
        if (failure == _FAILED_DUPLICATE) revert DuplicateSigner(signer);
        revert SignersNotAscending(signer); // _FAILED_UNSORTED
    }
}
