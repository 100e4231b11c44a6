// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IGate - numbered pins on which authorised rings emit data tokens.
 * @notice A ring's flush emits its output tokens on pins; another ring reads the latest token of a
 *         pin as its input, which chains rings into pipelines (map ring -> reduce ring).
 */
interface IGate {
    /// @notice Ring `ring` emitted `tokenId` on `pin`; it is the pin's `sequence`-th output.
    event Output(uint96 indexed pin, uint256 indexed tokenId, address indexed ring, uint64 sequence);

    /// @notice The gate's owner allowed (or disallowed) `ring` to emit.
    event RingAuthorized(address indexed ring, bool authorized);

    /// @notice `account` may not emit on this gate.
    error RingNotAuthorized(address account);

    /// @notice `pins` and `tokenIds` differ in length.
    error OutputLengthMismatch(uint256 pins, uint256 tokenIds);

    /// @notice Emits `tokenIds[i]` on `pins[i]`; only authorised rings.
    function output(uint96[] calldata pins, uint256[] calldata tokenIds) external;

    /// @notice The owner allows or disallows `ring` to emit.
    function setAuthorized(address ring, bool authorized) external;

    /// @notice Whether `ring` may emit.
    function isAuthorized(address ring) external view returns (bool);

    /**
     * @notice The latest output on `pin`.
     * @return tokenId The token emitted last (zero if none).
     * @return ring The ring that emitted it.
     * @return sequence How many outputs the pin has had (zero if none).
     */
    function latest(uint96 pin) external view returns (uint256 tokenId, address ring, uint64 sequence);
}
