// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MemberManager} from "../../../contracts/base/MemberManager.sol";

/// @dev Exposes MemberManager's internal list operations.
contract MemberManagerHarness is MemberManager {
    /// @dev How often the list changed (the hook Ring turns into its membership epoch).
    uint256 public changes;

    /// @dev Links the sentinel to itself (an empty list), as Ring.initialize does.
    function setup(address[] calldata initialMembers) external {
        _setupMembers(initialMembers);
    }

    function add(address member) external {
        _addMember(member);
    }

    function remove(address prevMember, address member) external {
        _removeMember(prevMember, member);
    }

    function removeAnywhere(address member) external {
        _removeMemberAnywhere(member);
    }

    function _membershipChanged() internal override {
        ++changes;
    }
}
