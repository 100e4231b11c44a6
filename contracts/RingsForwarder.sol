// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/**
 * @title RingsForwarder - OpenZeppelin's ERC-2771 forwarder, as trusted by rings and replica rings.
 * @author Rings
 * @notice Its EIP-712 domain is name "RingsForwarder", version "1"; a member signs a ForwardRequest
 *         and anyone (a replica node, typically) relays it with {execute} or {executeBatch}.
 */
contract RingsForwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("RingsForwarder") {}
}
