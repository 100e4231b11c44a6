// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BlsRing} from "../../../contracts/BlsRing.sol";
import {ReplicaRing} from "../../../contracts/ReplicaRing.sol";
import {Ring} from "../../../contracts/Ring.sol";
import {RingFactory} from "../../../contracts/RingFactory.sol";
import {RingsForwarder} from "../../../contracts/RingsForwarder.sol";
import {Scope} from "../../../contracts/Scope.sol";
import {IRing} from "../../../contracts/interfaces/IRing.sol";
import {IVoteVerifier} from "../../../contracts/interfaces/IVoteVerifier.sol";
import {Assertions} from "./Assertions.sol";
import {Vm, VM_ADDRESS} from "./Vm.sol";

/// @dev Deploys the contracts and signs votes with an EIP-712 encoding written independently of VoteVerifier.
abstract contract RingsSetup is Assertions {
    Vm internal constant vm = Vm(VM_ADDRESS);

    RingFactory internal factory;

    function _deploy() internal {
        RingsForwarder forwarder = new RingsForwarder();
        factory = new RingFactory(
            new Ring(address(forwarder)),
            new ReplicaRing(address(forwarder)),
            new Scope(),
            new BlsRing(address(forwarder))
        );
    }

    /// @dev Private key of member `i` (distinct, in the curve's range).
    function _key(uint256 i) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode("rings-member", i))) % 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140 + 1;
    }

    function _createRing(uint256 memberCount) internal returns (IRing ring, uint256[] memory keys) {
        keys = new uint256[](memberCount);
        address[] memory members = new address[](memberCount);
        for (uint256 i = 0; i < memberCount; ++i) {
            keys[i] = _key(i);
            members[i] = vm.addr(keys[i]);
        }
        ring = factory.createRing(members, address(this));
    }

    function _emptyOutputs() internal pure returns (IRing.Outputs memory) {
        return IRing.Outputs(address(0), new uint96[](0), new bytes32[](0));
    }

    function _voteDigest(
        address ring,
        uint64 round,
        uint64 membershipEpoch,
        bytes32 ringNodeHead,
        bytes32 outputsHash,
        bytes32 logHead
    ) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Vote(uint64 round,uint64 membershipEpoch,bytes32 ringNodeHead,bytes32 outputsHash,bytes32 logHead)"
                ),
                round,
                membershipEpoch,
                ringNodeHead,
                outputsHash,
                logHead
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(ring), structHash));
    }

    /// @dev The ring's EIP-712 domain separator: name "Rings", version "1", this chain, the ring.
    function _domainSeparator(address ring) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Rings"),
                keccak256("1"),
                block.chainid,
                ring
            )
        );
    }

    /// @dev Votes of `keys` for an empty-output round under the ring's current membership epoch, ordered by signer.
    function _votes(IRing ring, uint256[] memory keys, uint64 round, bytes32 ringNodeHead)
        internal
        view
        returns (IVoteVerifier.Vote[] memory)
    {
        return _votesAt(ring, keys, round, ring.membershipEpoch(), ringNodeHead);
    }

    /// @dev Votes of `keys` for an empty-output round signed under `membershipEpoch`, ordered by signer address.
    function _votesAt(IRing ring, uint256[] memory keys, uint64 round, uint64 membershipEpoch, bytes32 ringNodeHead)
        internal
        view
        returns (IVoteVerifier.Vote[] memory votes)
    {
        _sortByAddress(keys);
        IRing.Outputs memory outputs = _emptyOutputs();
        bytes32 outputsHash = keccak256(abi.encode(outputs.gate, outputs.pins, outputs.cids));
        votes = new IVoteVerifier.Vote[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            bytes32 logHead = keccak256(abi.encode("log head", keys[i], round));
            votes[i] = _signVote(keys[i], logHead, _voteDigest(address(ring), round, membershipEpoch, ringNodeHead, outputsHash, logHead));
        }
    }

    function _signVote(uint256 key, bytes32 logHead, bytes32 digest) internal pure returns (IVoteVerifier.Vote memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return IVoteVerifier.Vote(logHead, r, bytes32((uint256(v - 27) << 255) | uint256(s)));
    }

    function _flush(IRing ring, uint64 round, bytes32 ringNodeHead, IVoteVerifier.Vote[] memory votes) internal {
        ring.flush(round, ringNodeHead, _emptyOutputs(), votes, new IVoteVerifier.Dissent[](0));
    }

    function _sortByAddress(uint256[] memory keys) internal pure {
        for (uint256 i = 1; i < keys.length; ++i) {
            uint256 key = keys[i];
            address keyAddress = vm.addr(key);
            uint256 j = i;
            while (j > 0 && vm.addr(keys[j - 1]) > keyAddress) {
                keys[j] = keys[j - 1];
                --j;
            }
            keys[j] = key;
        }
    }
}
