// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IGate} from "./interfaces/IGate.sol";

/**
 * @title Gate - pins on which authorised rings emit their output tokens.
 * @author Rings
 * @notice The owner authorises rings; a ring's flush emits on its own pins; anyone (another ring's
 *         nodes) reads a named ring's pin as input. Pins are keyed by the ring that writes them, so
 *         no ring can overwrite, or stand in for, another ring's output.
 */
contract Gate is IGate, Ownable {
    /// @dev Two slots per pin: the token id, and the sequence alone in the second (the writer is
    ///      the mapping key, not stored beside it).
    struct PinState {
        uint256 tokenId;
        uint64 sequence;
    }

    mapping(address ring => bool authorized) private _authorized;
    /// @dev ring => pin => state. The nested mapping costs one keccak256 more than a flat
    ///      `pin => state` (about 40 gas; `output` takes the ring's inner mapping once per call, not
    ///      per pin), nothing next to the 2 x 22,100 gas of a pin's first write or 2 x 5,000 of a
    ///      rewrite. It takes the same two slots as a flat mapping with an owner stored beside the
    ///      sequence, and binds every pin to its writer with no ownership check: `output` only ever
    ///      reaches `_pins[msg.sender]`.
    mapping(address ring => mapping(uint96 pin => PinState state)) private _pins;

    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @inheritdoc IGate
    function output(uint96[] calldata pins, uint256[] calldata tokenIds) external {
        if (!_authorized[msg.sender]) revert RingNotAuthorized(msg.sender);
        uint256 count = pins.length;
        if (count != tokenIds.length) revert OutputLengthMismatch(count, tokenIds.length);
        mapping(uint96 pin => PinState state) storage own = _pins[msg.sender];
        for (uint256 i = 0; i < count; ++i) {
            PinState storage state = own[pins[i]];
            uint64 sequence = state.sequence + 1;
            state.tokenId = tokenIds[i];
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
    function latest(address ring, uint96 pin) external view returns (uint256 tokenId, uint64 sequence) {
        PinState storage state = _pins[ring][pin];
        return (state.tokenId, state.sequence);
    }
}
