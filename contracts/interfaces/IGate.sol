// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Topics are the keys clients filter by (members, rings, rounds); amounts, flags and nonces are data.
// solhint-disable gas-indexed-events

/**
 * @title IGate - numbered pins on which authorised rings emit data tokens.
 * @author Rings
 * @notice A ring's flush emits its output tokens on pins; another ring reads the latest token of a
 *         pin as its input, which chains rings into pipelines (map ring -> reduce ring).
 * @dev Pins belong to the ring that writes them: every ring has its own pins 0, 1, 2, ... and a
 *      reader names the ring it trusts as well as the pin (`latest(ring, pin)`). An authorised ring
 *      therefore cannot overwrite another ring's pin, nor feed another ring's pipeline.
 */
interface IGate {
    /// @notice Ring `ring` emitted `tokenId` on its pin `pin`; it is that pin's `sequence`-th output.
    /// @param pin The gate pin (of `ring`).
    /// @param tokenId The data token id (the CID digest as a uint256).
    /// @param ring The ring's address, the pin's owner.
    /// @param sequence How many outputs `ring`'s pin has had, this one included.
    event Output(uint96 indexed pin, uint256 indexed tokenId, address indexed ring, uint64 sequence);

    /// @notice The gate's owner allowed (or disallowed) `ring` to emit.
    /// @param ring The ring's address.
    /// @param authorized Whether the ring may emit on the gate.
    event RingAuthorized(address indexed ring, bool authorized);

    /// @notice `account` may not emit on this gate.
    error RingNotAuthorized(address account);

    /// @notice `pins` and `tokenIds` differ in length.
    error OutputLengthMismatch(uint256 pins, uint256 tokenIds);

    /// @notice Emits `tokenIds[i]` on the caller's own pin `pins[i]`; only authorised rings. Another
    ///         ring's pins are out of reach: pins are keyed by their writer.
    /// @param pins Pins of the caller to emit on, one per token id.
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
     * @notice The latest output of `ring` on its pin `pin`: only `ring` writes it.
     * @return tokenId The token `ring` emitted last on the pin (zero if none).
     * @return sequence How many outputs `ring` has emitted on the pin (zero if none).
     * @param ring The ring whose output is read (the upstream ring a reader trusts).
     * @param pin The gate pin of `ring`.
     */
    function latest(address ring, uint96 pin) external view returns (uint256 tokenId, uint64 sequence);
}
