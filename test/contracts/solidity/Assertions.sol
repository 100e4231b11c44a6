// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev Minimal assertions (forge-std from npm is broken): a failed assertion reverts, failing the test.
abstract contract Assertions {
    error AssertionFailed(string what, uint256 actual, uint256 expected);
    error AddressAssertionFailed(string what, address actual, address expected);

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) revert AssertionFailed(what, actual, expected);
    }

    function assertEq(address actual, address expected, string memory what) internal pure {
        if (actual != expected) revert AddressAssertionFailed(what, actual, expected);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what, 0, 1);
    }
}
