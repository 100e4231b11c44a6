// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IScope - a registry of data declared by rings.
 * @author Rings
 * @notice Data is content addressed: the token id of a CID is its 32-byte sha2-256 digest read as
 *         a uint256, so every declarer of the same data gets the same token id, and the CID is
 *         `cidPrefix ++ bytes32(tokenId)`. The first declarer is recorded.
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
     * @notice Declares data by CID digest.
     * @param cids sha2-256 digests of CIDv1 dag-cbor blocks.
     * @return tokenIds The token id of each CID, in order.
     */
    function declareData(bytes32[] calldata cids) external returns (uint256[] memory tokenIds);

    /// @notice The account that first declared `tokenId` (zero if never declared).
    /// @param tokenId The data token id (the CID digest as a uint256).
    function declarerOf(uint256 tokenId) external view returns (address);

    /// @notice The CID digest of `tokenId`.
    /// @param tokenId The data token id (the CID digest as a uint256).
    function cidOf(uint256 tokenId) external pure returns (bytes32);
}
