// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IScope} from "./interfaces/IScope.sol";

/**
 * @title Scope - where rings declare the data they output.
 * @author Rings
 * @notice Content addressed: a CID digest's token id is the digest itself (see {IScope}).
 */
contract Scope is IScope {
    mapping(uint256 tokenId => address declarer) private _declarers;

    /// @inheritdoc IScope
    function declareData(bytes32[] calldata cids) external returns (uint256[] memory tokenIds) {
        uint256 count = cids.length;
        tokenIds = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            bytes32 cid = cids[i];
            if (cid == bytes32(0)) revert EmptyCid();
            uint256 tokenId = uint256(cid);
            if (_declarers[tokenId] == address(0)) _declarers[tokenId] = msg.sender;
            tokenIds[i] = tokenId;
            emit DataDeclared(tokenId, msg.sender, cid);
        }
    }

    /// @inheritdoc IScope
    function declarerOf(uint256 tokenId) external view returns (address) {
        return _declarers[tokenId];
    }

    /// @inheritdoc IScope
    function cidOf(uint256 tokenId) external pure returns (bytes32) {
        return bytes32(tokenId);
    }
}
