// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ForkProofs} from "./base/ForkProofs.sol";
import {MemberManager} from "./base/MemberManager.sol";
import {RingLogs} from "./base/RingLogs.sol";
import {VoteVerifier} from "./base/VoteVerifier.sol";
import {IGate} from "./interfaces/IGate.sol";
import {IRing} from "./interfaces/IRing.sol";
import {IScope} from "./interfaces/IScope.sol";

/**
 * @title Ring - a group of machines that agree, by a 2/3 vote of signatures, on what they computed.
 * @author Rings
 * @notice Assembled from one-concern bases: {RingLogs} (heads and the ring log), {MemberManager}
 *         (the member list and reputation), {VoteVerifier} (signature recovery) and {ForkProofs}.
 *         Deployed once as an implementation; rings are its minimal clones (see RingFactory), which
 *         share its immutables: the EIP-712 name/version and the trusted ERC-2771 forwarder.
 */
contract Ring is IRing, Initializable, ERC2771Context, RingLogs, MemberManager, VoteVerifier, ForkProofs {
    address private _owner;

    /// @inheritdoc IRing
    IScope public scope;

    modifier onlyOwner() {
        if (_msgSender() != _owner) revert NotOwner(_msgSender());
        _;
    }

    /// @notice Deploys the implementation (not usable itself: rings are its clones).
    /// @param trustedForwarder_ The ERC-2771 forwarder every clone of this implementation trusts.
    constructor(address trustedForwarder_) ERC2771Context(trustedForwarder_) EIP712("Rings", "1") {
        _disableInitializers();
    }

    /// @inheritdoc IRing
    function initialize(address owner_, address[] calldata initialMembers, IScope scope_) external initializer {
        if (owner_ == address(0)) revert InvalidOwner(owner_);
        _owner = owner_;
        scope = scope_;
        emit OwnershipTransferred(address(0), owner_);
        emit ScopeSet(scope_);
        _setupMembers(initialMembers);
    }

    /// @inheritdoc IRing
    function owner() external view returns (address) {
        return _owner;
    }

    /// @inheritdoc IRing
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert InvalidOwner(newOwner);
        emit OwnershipTransferred(_owner, newOwner);
        _owner = newOwner;
    }

    /// @inheritdoc IRing
    function membershipEpoch() external view returns (uint64) {
        return _membershipEpoch;
    }

    /// @inheritdoc IRing
    function requiredVotes() public view returns (uint256) {
        uint256 required = (_memberCount * RING_MAJORITY_NUMERATOR + RING_MAJORITY_DENOMINATOR - 1)
            / RING_MAJORITY_DENOMINATOR;
        return required == 0 ? 1 : required;
    }

    /// @inheritdoc IRing
    function flush(
        uint64 newRound,
        bytes32 newRingNodeHead,
        Outputs calldata outputs,
        Vote[] calldata votes,
        Dissent[] calldata dissents
    ) external {
        uint64 lastRound = round;
        if (newRound <= lastRound) revert StaleRound(newRound, lastRound); // solhint-disable-line gas-strict-inequalities
        // A zero head would be archived as "nothing" and ringLog would then call the round unavailable.
        // A comparison of a calldata word: 17 gas per flush (measured), no storage.
        if (newRingNodeHead == bytes32(0)) revert EmptyRingNodeHead();
        bytes32 outputsHash = _hashOutputs(outputs);

        // 1. Verification: signatures only, no storage.
        // The epoch shares round's slot (RingLogs), read above: a warm read.
        uint64 epoch = _membershipEpoch;
        address[] memory signers = _recoverVoteSigners(newRound, epoch, newRingNodeHead, outputsHash, votes);
        _requireMajority(signers.length);

        // 2. State: per signer, the member record (read = membership check, then written warm) and the log head.
        _countAgreements(signers, votes);
        if (dissents.length != 0) _countDissents(newRound, epoch, newRingNodeHead, outputsHash, dissents, signers);
        _appendRingNode(lastRound, newRound, newRingNodeHead);
        _emitAgreed(newRound, signers);
        emit Flushed(newRound, newRingNodeHead, outputsHash, _msgSender());

        // 3. Outputs: declared as data in the Scope, emitted on the Gate's pins.
        if (outputs.pins.length != 0) _emitOutputs(outputs);
    }

    /// @inheritdoc IRing
    function enter(address member) external onlyOwner {
        _requireNotProvenForker(member);
        _addMember(member);
    }

    /// @inheritdoc IRing
    function exit(address prevMember, address member) external onlyOwner {
        _removeMember(prevMember, member);
        _memberLeft(member);
    }

    /// @inheritdoc IRing
    function enterByVote(address member, uint64 epoch, uint256 deadline, Signature[] calldata signatures) external {
        _requireNotProvenForker(member);
        _consumeMembershipVote(true, member, epoch, deadline, signatures);
        _addMember(member);
    }

    /// @inheritdoc IRing
    function exitByVote(
        address prevMember,
        address member,
        uint64 epoch,
        uint256 deadline,
        Signature[] calldata signatures
    ) external {
        _consumeMembershipVote(false, member, epoch, deadline, signatures);
        _removeMember(prevMember, member);
        _memberLeft(member);
    }

    /// @inheritdoc IRing
    function setNodeInfo(string calldata multiaddr, bytes calldata peerId) external {
        address member = _msgSender();
        _requireMember(member);
        _setNodeInfo(member, multiaddr, peerId);
    }

    /// @inheritdoc IRing
    function updateLogHead(bytes32 head) external {
        address member = _msgSender();
        _requireMember(member);
        _setLogHead(member, head);
    }

    function _ejectForkedMember(address member) internal override {
        _removeMemberAnywhere(member);
        _memberLeft(member);
    }

    /// @dev After `member` left by any path (exit, exit by vote, fork proof): a variant's own per-member state goes.
    function _memberLeft(address member) internal virtual {} // solhint-disable-line no-empty-blocks

    /// @dev Every admission and removal voids the votes signed before it. Not on the flush path.
    function _membershipChanged() internal override {
        unchecked {
            // 2^64 membership changes take more gas than any chain offers: no overflow check needed.
            ++_membershipEpoch;
        }
    }

    /**
     * @dev Per signer: reads its member record (the membership check: a zero `next` pointer means
     *      "not a member", since signers are above the sentinel), writes it back warm with one more
     *      agreement, writes its log head (cold) and emits {LogHeadUpdated}. Exactly two SSTOREs per
     *      signer; assembly keeps the loop free of bounds checks the verification already made
     *      (`signers` and `votes` have the same length).
     */
    function _countAgreements(address[] memory signers, Vote[] calldata votes) private {
        bytes32 logHeadUpdated = LogHeadUpdated.selector;
        bytes4 notAMember = NotAMember.selector;
        uint256 agreement = _AGREEMENT;
        assembly ("memory-safe") {
            let recordsSlot := _memberRecords.slot
            let headsSlot := _logNodeHeads.slot
            let signer_ := add(signers, 0x20)
            let end := add(signer_, shl(5, mload(signers)))
            let vote := votes.offset
            for {} lt(signer_, end) {} {
                let signer := mload(signer_)
                mstore(0x00, signer)
                mstore(0x20, recordsSlot)
                let recordSlot := keccak256(0x00, 0x40)
                let record := sload(recordSlot)
                if iszero(shl(96, record)) {
                    mstore(0x00, notAMember)
                    mstore(0x04, signer)
                    revert(0x00, 0x24)
                }
                sstore(recordSlot, add(record, agreement))
                mstore(0x20, headsSlot)
                let headSlot := keccak256(0x00, 0x40)
                let head := calldataload(vote)
                sstore(headSlot, head)
                mstore(0x00, head)
                log2(0x00, 0x20, logHeadUpdated, signer)
                signer_ := add(signer_, 0x20)
                vote := add(vote, 0x60)
            }
        }
    }

    /// @dev Emits {Agreed} straight from `signers`, which `_recoverVoteSigners` laid out after its ABI offset word.
    function _emitAgreed(uint64 atRound, address[] memory signers) private {
        bytes32 agreed = Agreed.selector;
        assembly ("memory-safe") {
            log2(sub(signers, 0x20), add(0x40, shl(5, mload(signers))), agreed, and(atRound, 0xffffffffffffffff))
        }
    }

    /// @dev Records outvoted votes of the same round: each a member, ascending, not among `signers`.
    function _countDissents(
        uint64 atRound,
        uint64 epoch,
        bytes32 majorityHead,
        bytes32 majorityOutputsHash,
        Dissent[] calldata dissents,
        address[] memory signers
    ) private {
        address last = SENTINEL_MEMBERS;
        uint256 s = 0;
        uint256 signerCount = signers.length;
        for (uint256 i = 0; i < dissents.length; ++i) {
            Dissent calldata dissent = dissents[i];
            address dissenter = _dissenter(atRound, epoch, dissent, i, last);
            last = dissenter;
            while (s < signerCount && signers[s] < dissenter) ++s;
            bool withMajority = s < signerCount && signers[s] == dissenter;
            _recordDissent(atRound, majorityHead, majorityOutputsHash, dissent, dissenter, withMajority);
        }
    }

    /// @dev The signer of dissent `i`, checked above the previous one (`last`).
    function _dissenter(uint64 r, uint64 epoch, Dissent calldata d, uint256 i, address last) internal view returns (address) {
        address dissenter = _recoverCompact(_voteDigest(r, epoch, d.ringNodeHead, d.outputsHash, d.logHead), d.r, d.vs, i);
        _requireAbove(dissenter, last);
        return dissenter;
    }

    /// @dev Counts `dissenter`'s dissent (a member, not with the majority, for something else) and sets its head.
    function _recordDissent(
        uint64 atRound,
        bytes32 majorityHead,
        bytes32 majorityOutputsHash,
        Dissent calldata dissent,
        address dissenter,
        bool withMajority
    ) internal {
        if (withMajority || (dissent.ringNodeHead == majorityHead && dissent.outputsHash == majorityOutputsHash)) {
            revert InvalidDissent(dissenter);
        }
        uint256 record = _memberRecords[dissenter];
        if (uint160(record) == 0) revert NotAMember(dissenter);
        unchecked {
            _memberRecords[dissenter] = record + _DISSENT;
        }
        _setLogHead(dissenter, dissent.logHead);
        emit Dissented(dissenter, atRound, dissent.ringNodeHead, dissent.outputsHash);
    }

    function _consumeMembershipVote(
        bool entering,
        address member,
        uint64 epoch,
        uint256 deadline,
        Signature[] calldata signatures
    ) private {
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp > deadline) revert MembershipVoteExpired(deadline);
        uint64 current = _membershipEpoch;
        if (epoch != current) revert StaleMembershipEpoch(epoch, current);
        bytes32 digest = _membershipDigest(entering, member, epoch, deadline);
        address[] memory signers = _recoverAscendingSigners(digest, signatures);
        for (uint256 i = 0; i < signers.length; ++i) {
            _requireMember(signers[i]);
        }
        _requireMajority(signers.length);
        // No nonce of its own: the change the vote makes next bumps the epoch, which voids this vote.
        emit MembershipVoted(entering, member, epoch);
    }

    /// @dev Passes iff signers > 0 and signers * DENOMINATOR >= memberCount * NUMERATOR.
    function _requireMajority(uint256 signerCount) private view {
        if (signerCount == 0 || signerCount * RING_MAJORITY_DENOMINATOR < _memberCount * RING_MAJORITY_NUMERATOR) {
            revert InsufficientVotes(signerCount, requiredVotes());
        }
    }

    /// @dev keccak256(abi.encode(gate, pins, cids)), after checking the outputs' shape.
    function _hashOutputs(Outputs calldata outputs) internal pure returns (bytes32) {
        uint256 pinCount = outputs.pins.length;
        if (pinCount != outputs.cids.length) revert OutputsLengthMismatch(pinCount, outputs.cids.length);
        if (pinCount != 0 && outputs.gate == address(0)) revert OutputsWithoutGate();
        return keccak256(abi.encode(outputs.gate, outputs.pins, outputs.cids));
    }

    function _emitOutputs(Outputs calldata outputs) internal {
        IScope dataScope = scope;
        if (address(dataScope) == address(0)) revert NoScope();
        uint256[] memory tokenIds = dataScope.declareData(outputs.cids);
        IGate(outputs.gate).output(outputs.pins, tokenIds);
    }
}
