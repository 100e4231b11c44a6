// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMemberManager} from "../interfaces/IMemberManager.sol";

/**
 * @title MemberManager - the members of a ring as a sentinel-terminated linked list.
 * @author Rings
 * @notice Safe's OwnerManager pattern, with one twist for gas: a member's record packs its `next`
 *         pointer with its reputation counters in ONE slot,
 *         `next (bits 0-159) | agreements (bits 160-207) | dissents (bits 208-255)`,
 *         so a flush checks membership by reading the slot it must write anyway (to count the
 *         agreement), and that write is then warm. The counters survive an exit.
 * @dev uint48 counters overflow after 2.8e14 flushes, which no ring reaches; they are added unchecked.
 */
abstract contract MemberManager is IMemberManager {
    /// @dev The list's start and end marker.
    address internal constant SENTINEL_MEMBERS = address(0x1);

    uint256 private constant _NEXT_MASK = type(uint160).max;
    uint256 internal constant _AGREEMENT = 1 << 160;
    uint256 internal constant _DISSENT = 1 << 208;

    /**
     * @dev Declared first, as a uint32, so it shares the slot of RingLogs' last variables (`round`,
     *      the membership epoch) in Ring's layout, which every flush reads: the quorum's member
     *      count is then a warm read. Checked arithmetic: at most 2^32 - 1 members.
     */
    uint32 internal _memberCount;

    /// @dev member => next | agreements | dissents (see contract notice).
    mapping(address member => uint256 record) internal _memberRecords;


    struct NodeInfo {
        string multiaddr;
        bytes peerId;
    }

    mapping(address member => NodeInfo info) private _nodeInfos;

    /// @inheritdoc IMemberManager
    function members() external view returns (address[] memory list) {
        list = new address[](_memberCount);
        address current = _nextOf(SENTINEL_MEMBERS);
        for (uint256 i = 0; current != SENTINEL_MEMBERS; ++i) {
            list[i] = current;
            current = _nextOf(current);
        }
    }

    /// @inheritdoc IMemberManager
    function memberCount() external view returns (uint256) {
        return _memberCount;
    }

    /// @inheritdoc IMemberManager
    function isMember(address account) public view returns (bool) {
        return account != SENTINEL_MEMBERS && _nextOf(account) != address(0);
    }

    /// @inheritdoc IMemberManager
    function reputation(address account) external view returns (uint64 agreements, uint64 dissents) {
        uint256 record = _memberRecords[account];
        agreements = uint64(uint48(record >> 160));
        dissents = uint64(uint48(record >> 208));
    }

    /// @inheritdoc IMemberManager
    function nodeInfo(address member) external view returns (string memory multiaddr, bytes memory peerId) {
        NodeInfo storage info = _nodeInfos[member];
        return (info.multiaddr, info.peerId);
    }

    /**
     * @dev Builds the list from `initialMembers`, in their order. Only for an empty ring. Reverts with
     *      {MemberAlreadyExists} if an address repeats: a member's `next` is written only when its
     *      successor is linked, so {_requireNewMember} cannot see the member in the slot just before,
     *      and that one is compared explicitly (Safe's OwnerManager `currentOwner != owner`). One
     *      comparison of stack values per member, no storage read.
     */
    function _setupMembers(address[] calldata initialMembers) internal {
        address previous = SENTINEL_MEMBERS;
        uint256 count = initialMembers.length;
        for (uint256 i = 0; i < count; ++i) {
            address member = initialMembers[i];
            _requireNewMember(member);
            if (member == previous) revert MemberAlreadyExists(member);
            _setNext(previous, member);
            previous = member;
            emit MemberEntered(member);
        }
        _setNext(previous, SENTINEL_MEMBERS);
        _memberCount = uint32(count);
    }

    /// @dev Inserts `member` at the head of the list.
    function _addMember(address member) internal {
        _requireNewMember(member);
        _setNext(member, _nextOf(SENTINEL_MEMBERS));
        _setNext(SENTINEL_MEMBERS, member);
        ++_memberCount;
        _membershipChanged();
        emit MemberEntered(member);
    }

    /// @dev Unlinks `member`, whose predecessor is `prevMember`; keeps its reputation.
    function _removeMember(address prevMember, address member) internal {
        if (member == SENTINEL_MEMBERS || member == address(0)) revert InvalidMember(member);
        if (_nextOf(prevMember) != member) revert InvalidPrevMember(prevMember, member);
        _setNext(prevMember, _nextOf(member));
        _memberRecords[member] &= ~_NEXT_MASK;
        delete _nodeInfos[member];
        --_memberCount;
        _membershipChanged();
        emit MemberExited(member);
    }

    /// @dev Unlinks `member`, finding its predecessor by walking the list (for the rare fork ejection).
    function _removeMemberAnywhere(address member) internal {
        if (!isMember(member)) revert NotAMember(member);
        address previous = SENTINEL_MEMBERS;
        while (_nextOf(previous) != member) previous = _nextOf(previous);
        _removeMember(previous, member);
    }

    /**
     * @dev Called on every change of the member list after the initial one: each admission and
     *      removal, whoever makes it (the owner, a members' vote, a fork proof). The ring bumps its
     *      membership epoch here, which voids every vote signed before the change.
     */
    function _membershipChanged() internal virtual;

    function _setNodeInfo(address member, string calldata multiaddr, bytes calldata peerId) internal {
        NodeInfo storage info = _nodeInfos[member];
        info.multiaddr = multiaddr;
        info.peerId = peerId;
        emit NodeInfoSet(member, multiaddr, peerId);
    }

    /// @dev Reverts unless `account` is a member.
    function _requireMember(address account) internal view {
        if (!isMember(account)) revert NotAMember(account);
    }

    function _nextOf(address member) internal view returns (address) {
        return address(uint160(_memberRecords[member]));
    }

    function _setNext(address member, address next) private {
        _memberRecords[member] = (_memberRecords[member] & ~_NEXT_MASK) | uint160(next);
    }

    function _requireNewMember(address member) private view {
        if (member == address(0) || member == SENTINEL_MEMBERS || member == address(this)) {
            revert InvalidMember(member);
        }
        if (_nextOf(member) != address(0)) revert MemberAlreadyExists(member);
    }
}
