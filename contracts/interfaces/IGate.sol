// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Topics are the keys clients filter by (members, rings, rounds); amounts, flags and nonces are data.
// solhint-disable gas-indexed-events

/**
 * @title IGate - numbered pins on which authorised rings emit data tokens.
 * @author Rings
 * @notice A ring's flush emits its output tokens on pins; another ring reads the latest token of a
 *         pin as its input, which chains rings into pipelines (map ring -> reduce ring).
 */
interface IGate {
    /// @notice Ring `ring` emitted `tokenId` on `pin`; it is the pin's `sequence`-th output.
    /// @param pin The gate pin.
    /// @param tokenId The data token id (the CID digest as a uint256).
    /// @param ring The ring's address.
    /// @param sequence How many outputs the pin has had, this one included.
    event Output(uint96 indexed pin, uint256 indexed tokenId, address indexed ring, uint64 sequence);

    /// @notice The gate's owner allowed (or disallowed) `ring` to emit.
    /// @param ring The ring's address.
    /// @param authorized Whether the ring may emit on the gate.
    event RingAuthorized(address indexed ring, bool authorized);

    /// @notice `account` may not emit on this gate.
    error RingNotAuthorized(address account);

    /// @notice `pins` and `tokenIds` differ in length.
    error OutputLengthMismatch(uint256 pins, uint256 tokenIds);

    /// @notice Emits `tokenIds[i]` on `pins[i]`; only authorised rings.
    /// @param pins Pins to emit on, one per token id.
    /// @param tokenIds Token ids to emit, one per pin.
    function output(uint96[] calldata pins, uint256[] calldata tokenIds) external;

    /// @notice The owner allows or disallows `ring` to emit.
    /// @param ring The ring's address.
    /// @param authorized Whether the ring may emit on the gate.
    function setAuthorized(address ring, bool authorized) external;

    /// @notice Whether `ring` may emit.
    /// @param ring The ring's address.
    function isAuthorized(address ring) external view returns (bool);

    /**
     * @notice The latest output on `pin`.
     * @return tokenId The token emitted last (zero if none).
     * @return ring The ring that emitted it.
     * @return sequence How many outputs the pin has had (zero if none).
     * @param pin The gate pin.
     */
    function latest(uint96 pin) external view returns (uint256 tokenId, address ring, uint64 sequence);
}
