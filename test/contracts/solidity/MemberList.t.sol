// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMemberManager} from "../../../contracts/interfaces/IMemberManager.sol";
import {Assertions} from "./Assertions.sol";
import {MemberManagerHarness} from "./MemberManagerHarness.sol";

/// @dev Random entries and exits on the member list, mirrored by a plain array.
contract MemberListHandler {
    MemberManagerHarness public immutable list;
    address[] public model; // list order: most recently entered first

    /// @dev Sets `list_` up from `initialMembers` (distinct), which the model then starts from.
    constructor(MemberManagerHarness list_, address[] memory initialMembers) {
        list = list_;
        list_.setup(initialMembers);
        for (uint256 i = 0; i < initialMembers.length; ++i) model.push(initialMembers[i]);
    }

    function candidate(uint256 seed) public pure returns (address) {
        return address(uint160(0x1000 + (seed % 12)));
    }

    function modelLength() external view returns (uint256) {
        return model.length;
    }

    /// @dev Entries and exits made so far (what the list's membership hook must have seen).
    uint256 public changesMade;

    function enter(uint256 seed) public {
        address member = candidate(seed);
        if (_indexOf(member) != type(uint256).max) return;
        list.add(member);
        ++changesMade;
        model.push(member);
        for (uint256 i = model.length - 1; i > 0; --i) model[i] = model[i - 1];
        model[0] = member;
    }

    function exit(uint256 seed, bool walk) public {
        address member = candidate(seed);
        uint256 index = _indexOf(member);
        if (index == type(uint256).max) return;
        if (walk) list.removeAnywhere(member);
        else list.remove(index == 0 ? address(1) : model[index - 1], member);
        ++changesMade;
        for (uint256 i = index; i + 1 < model.length; ++i) model[i] = model[i + 1];
        model.pop();
    }

    function _indexOf(address member) private view returns (uint256) {
        for (uint256 i = 0; i < model.length; ++i) if (model[i] == member) return i;
        return type(uint256).max;
    }
}

contract MemberListTest is Assertions {
    MemberManagerHarness private list;
    MemberListHandler private handler;

    function setUp() public {
        list = new MemberManagerHarness();
        handler = new MemberListHandler(list, new address[](0));
    }

    /// @dev The invariant campaign calls only the handler.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev Any sequence of entries and exits leaves the list equal to the model.
    function testFuzz_listFollowsEntriesAndExits(uint256[24] calldata seeds) public {
        for (uint256 i = 0; i < seeds.length; ++i) {
            uint256 seed = seeds[i];
            if (seed % 3 == 0) handler.exit(seed >> 8, (seed >> 4) & 1 == 1);
            else handler.enter(seed >> 8);
            _assertListMatchesModel();
        }
    }

    /// @dev Set up from a non-empty list of distinct candidates, any entries and exits keep list and model equal.
    function testFuzz_listFromInitialMembersFollowsEntriesAndExits(uint8 length, uint256 order, uint256[24] calldata seeds)
        public
    {
        list = new MemberManagerHarness();
        handler = new MemberListHandler(list, _distinctCandidates(1 + (length % 12), order));
        _assertListMatchesModel();
        for (uint256 i = 0; i < seeds.length; ++i) {
            uint256 seed = seeds[i];
            if (seed % 3 == 0) handler.exit(seed >> 8, (seed >> 4) & 1 == 1);
            else handler.enter(seed >> 8);
            _assertListMatchesModel();
        }
    }

    /// @dev An initial list that repeats an address (half the runs in adjacent slots) is refused with MemberAlreadyExists.
    function testFuzz_setupRefusesAnInitialListThatRepeatsAnAddress(uint8 length, uint256 order, uint8 from, uint8 to)
        public
    {
        address[] memory initial = _distinctCandidates(2 + (length % 11), order);
        uint256 source = from % initial.length;
        uint256 target = to % 2 == 0 ? (source + 1) % initial.length : to % initial.length;
        if (target == source) target = (source + 1) % initial.length;
        initial[target] = initial[source];
        MemberManagerHarness fresh = new MemberManagerHarness();
        try fresh.setup(initial) {
            revert("an initial list with a repeated address passed");
        } catch (bytes memory reason) {
            assertTrue(bytes4(reason) == IMemberManager.MemberAlreadyExists.selector, "MemberAlreadyExists");
            assertEq(address(uint160(uint256(bytes32(_firstArgument(reason))))), initial[source], "the repeated address");
        }
    }

    /// @dev [A, A] is refused (the adjacent repeat the already-member check alone cannot see).
    function test_setupRefusesAnAddressRepeatedInAdjacentSlots() public {
        address[] memory initial = new address[](2);
        initial[0] = handler.candidate(0);
        initial[1] = handler.candidate(0);
        MemberManagerHarness fresh = new MemberManagerHarness();
        try fresh.setup(initial) {
            revert("[A, A] passed");
        } catch (bytes memory reason) {
            assertTrue(bytes4(reason) == IMemberManager.MemberAlreadyExists.selector, "MemberAlreadyExists");
        }
    }

    /// @dev Every entry and exit, by predecessor or by walking the list, calls the membership hook once.
    function testFuzz_everyEntryAndExitCallsTheMembershipHook(uint256[24] calldata seeds) public {
        for (uint256 i = 0; i < seeds.length; ++i) {
            uint256 seed = seeds[i];
            if (seed % 3 == 0) handler.exit(seed >> 8, (seed >> 4) & 1 == 1);
            else handler.enter(seed >> 8);
            assertEq(list.changes(), handler.changesMade(), "one hook call per change");
        }
    }

    /// @dev Removing with a wrong predecessor is refused and changes nothing.
    function testFuzz_exitWithWrongPredecessorIsRefused(uint256 a, uint256 b, uint256 c) public {
        handler.enter(a);
        handler.enter(b);
        handler.enter(c);
        address member = handler.candidate(a);
        address wrong = handler.candidate(c);
        if (wrong == member || list.members()[0] == member) return;
        address[] memory before = list.members();
        if (_prevOf(before, member) == wrong) return;
        try list.remove(wrong, member) {
            revert("exit with a wrong predecessor passed");
        } catch (bytes memory reason) {
            assertTrue(bytes4(reason) == IMemberManager.InvalidPrevMember.selector, "InvalidPrevMember");
        }
        _assertListMatchesModel();
    }

    /// @dev The linked list, the count, isMember and the model agree; the sentinel is never a member.
    /// forge-config: default.invariant.runs = 64
    /// forge-config: default.invariant.depth = 32
    function invariant_memberListMatchesCountAndModel() public view {
        _assertListMatchesModel();
        assertTrue(!list.isMember(address(1)), "sentinel is no member");
        assertTrue(!list.isMember(address(0)), "zero is no member");
    }

    function _assertListMatchesModel() private view {
        address[] memory members = list.members();
        uint256 count = handler.modelLength();
        assertEq(members.length, count, "members length");
        assertEq(list.memberCount(), count, "memberCount");
        for (uint256 i = 0; i < count; ++i) {
            assertEq(members[i], handler.model(i), "list order");
            assertTrue(list.isMember(members[i]), "isMember");
        }
        for (uint256 seed = 0; seed < 12; ++seed) {
            address candidate = handler.candidate(seed);
            bool listed;
            for (uint256 i = 0; i < count; ++i) if (members[i] == candidate) listed = true;
            assertTrue(list.isMember(candidate) == listed, "isMember only for listed");
        }
    }

    /// @dev `count` distinct candidates (count <= 12) in an order drawn from `order`.
    function _distinctCandidates(uint256 count, uint256 order) private view returns (address[] memory picked) {
        address[] memory pool = new address[](12);
        for (uint256 i = 0; i < 12; ++i) pool[i] = handler.candidate(i);
        picked = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            uint256 j = i + (uint256(keccak256(abi.encode(order, i))) % (12 - i));
            (pool[i], pool[j]) = (pool[j], pool[i]);
            picked[i] = pool[i];
        }
    }

    /// @dev The 32 bytes after a revert reason's 4-byte selector (its first argument).
    function _firstArgument(bytes memory reason) private pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := mload(add(reason, 0x24))
        }
    }

    function _prevOf(address[] memory members, address member) private pure returns (address) {
        for (uint256 i = 0; i < members.length; ++i) if (members[i] == member) return i == 0 ? address(1) : members[i - 1];
        return address(0);
    }
}
