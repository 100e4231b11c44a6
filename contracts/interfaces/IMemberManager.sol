// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IMemberManager - the members of a ring and their reputation.
 * @author Rings
 * @notice Members form a sentinel-terminated linked list (Safe's OwnerManager pattern): O(1) entry,
 *         exit and membership test, no loop over members on the hot path. Each member's list pointer
 *         shares one storage slot with its reputation counters, so a flush checks membership by
 *         reading the very slot it then writes.
 */
interface IMemberManager {
    /// @notice `member` entered the ring.
    /// @param member The member's address.
    event MemberEntered(address indexed member);

    /// @notice `member` left the ring (exit by the engine, by vote, or ejection after a fork proof).
    /// @param member The member's address.
    event MemberExited(address indexed member);

    /// @notice `member` published where its ring node can be reached.
    /// @param member The member's address.
    /// @param multiaddr The libp2p multiaddress where the member's ring node listens.
    /// @param peerId The libp2p PeerId bytes of the member's node.
    event NodeInfoSet(address indexed member, string multiaddr, bytes peerId);

    /// @notice The address cannot be a member: zero, the list sentinel or the ring itself.
    error InvalidMember(address member);

    /// @notice The address is already a member, or appears twice in a ring's initial member list.
    error MemberAlreadyExists(address member);

    /// @notice The address is not a member of the ring.
    error NotAMember(address account);

    /// @notice `prevMember` does not point to `member` in the member list.
    error InvalidPrevMember(address prevMember, address member);

    /// @notice The current members, most recently entered first (the linked list order).
    /// @dev `members()[i - 1]` is the `prevMember` of `members()[i]`; the first one's is the sentinel `address(1)`.
    function members() external view returns (address[] memory);

    /// @notice The number of current members.
    function memberCount() external view returns (uint256);

    /// @notice Whether `account` is a current member.
    /// @param account Any address.
    function isMember(address account) external view returns (bool);

    /**
     * @notice A member's voting record: flushes it signed with the majority, and votes it cast that
     *         were outvoted. Kept after the member exits. A lower bound: the relayer of a flush
     *         chooses which votes beyond the 2/3 and which dissents it carries (see {IRing-flush}).
     * @return agreements Number of flushes the account signed with the majority.
     * @return dissents Number of its dissenting votes recorded by flushes.
     * @param account Any address.
     */
    function reputation(address account) external view returns (uint64 agreements, uint64 dissents);

    /**
     * @notice Where a member's ring node listens, as the member itself published it.
     * @return multiaddr A libp2p multiaddress, e.g. "/ip4/127.0.0.1/tcp/4001".
     * @return peerId The libp2p PeerId bytes (derived from the member's secp256k1 key).
     * @param member The member's address.
     */
    function nodeInfo(address member) external view returns (string memory multiaddr, bytes memory peerId);
}
