// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev The cheatcodes these tests use (Foundry-compatible, served by Hardhat 3's EDR at the address below).
interface Vm {
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external pure returns (address);
    function prank(address sender) external;
    function expectRevert(bytes calldata revertData) external;
    function chainId(uint256 newChainId) external;
    function assume(bool condition) external pure;
}

/// @dev The cheatcode address.
address constant VM_ADDRESS = address(uint160(uint256(keccak256("hevm cheat code")))); // 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D
