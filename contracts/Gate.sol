// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IGate} from "./interfaces/IGate.sol";

/**
 * @title Gate - pins on which authorised rings emit their output tokens.
 * @author Rings
 * @notice The owner authorises rings; a ring's flush emits on pins; anyone (another ring's nodes)
 *         reads a pin's latest token as input.
 */
contract Gate is IGate, Ownable {
    struct PinState {
        uint256 tokenId;
        address ring;
        uint64 sequence;
    }

    mapping(address ring => bool authorized) private _authorized;
    mapping(uint96 pin => PinState state) private _pins;

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @inheritdoc IGate
    function output(uint96[] calldata pins, uint256[] calldata tokenIds) external {
        if (!_authorized[msg.sender]) revert RingNotAuthorized(msg.sender);
        uint256 count = pins.length;
        if (count != tokenIds.length) revert OutputLengthMismatch(count, tokenIds.length);
        for (uint256 i = 0; i < count; ++i) {
            PinState storage state = _pins[pins[i]];
            uint64 sequence = state.sequence + 1;
            state.tokenId = tokenIds[i];
            state.ring = msg.sender;
            state.sequence = sequence;
            emit Output(pins[i], tokenIds[i], msg.sender, sequence);
        }
    }

    /// @inheritdoc IGate
    function setAuthorized(address ring, bool authorized) external onlyOwner {
        _authorized[ring] = authorized;
        emit RingAuthorized(ring, authorized);
    }

    /// @inheritdoc IGate
    function isAuthorized(address ring) external view returns (bool) {
        return _authorized[ring];
    }

    /// @inheritdoc IGate
    function latest(uint96 pin) external view returns (uint256 tokenId, address ring, uint64 sequence) {
        PinState storage state = _pins[pin];
        return (state.tokenId, state.ring, state.sequence);
    }
}
