// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IScope - a registry of data declared by rings.
 * @author Rings
 * @notice Data is content addressed: the token id of a CID is its 32-byte sha2-256 digest read as
 *         a uint256, so every declarer of the same data gets the same token id, and the CID is
 *         `cidPrefix ++ bytes32(tokenId)`. Anyone may declare any CID, so no declarer is privileged:
 *         the Scope records every declaration per declarer ({isDeclaredBy}), and a reader asks
 *         whether the declarer it trusts (a ring it knows, e.g. one the RingFactory lists) declared
 *         the data. No "first declarer" is kept: that claim could be taken by front-running a flush.
 */
interface IScope {
    /// @notice `declarer` declared the data `cid` (token id `tokenId`).
    /// @param tokenId The data token id (the CID digest as a uint256).
    /// @param declarer The account that declared the data.
    /// @param cid The CID digest (sha2-256 of a CIDv1 dag-cbor block).
    event DataDeclared(uint256 indexed tokenId, address indexed declarer, bytes32 cid);

    /// @notice The zero digest is not a CID.
    error EmptyCid();

    /**
     * @notice Declares data by CID digest, as the caller's: {isDeclaredBy}(tokenId, caller) is true
     *         from then on. Emits {DataDeclared} per CID, also for a repeated declaration.
     * @param cids sha2-256 digests of CIDv1 dag-cbor blocks.
     * @return tokenIds The token id of each CID, in order.
     */
    function declareData(bytes32[] calldata cids) external returns (uint256[] memory tokenIds);

    /// @notice Whether `declarer` declared `tokenId` (whoever else did too).
    /// @param tokenId The data token id (the CID digest as a uint256).
    /// @param declarer Any address, typically a ring.
    function isDeclaredBy(uint256 tokenId, address declarer) external view returns (bool);

    /// @notice The CID digest of `tokenId`.
    /// @param tokenId The data token id (the CID digest as a uint256).
    function cidOf(uint256 tokenId) external pure returns (bytes32);
}
