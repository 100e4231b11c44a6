// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Topics are the keys clients filter by (members, rings, rounds); amounts, flags and epochs are data.
// solhint-disable gas-indexed-events

import {IForkProofs} from "./IForkProofs.sol";
import {IMemberManager} from "./IMemberManager.sol";
import {IRingLogs} from "./IRingLogs.sol";
import {IScope} from "./IScope.sol";
import {IVoteVerifier} from "./IVoteVerifier.sol";

/**
 * @title IRing - a ring: members that agree by a 2/3 vote on what they computed.
 * @author Rings
 * @notice The engine (owner) creates the ring and admits members; members vote on each round's
 *         ring head and outputs, and a relayer flushes the votes on chain. Members may act through
 *         the trusted ERC-2771 forwarder, so anyone can relay a member's signed request.
 */
interface IRing is IMemberManager, IRingLogs, IVoteVerifier, IForkProofs {
    /// @notice What a round emits on a Gate: `cids[i]` on `pins[i]` of `gate`.
    ///         `outputsHash = keccak256(abi.encode(gate, pins, cids))`. An empty round has gate = 0 and no pins.
    struct Outputs {
        address gate;
        uint96[] pins;
        bytes32[] cids;
    }

    /// @notice Round `round` was flushed with ring head `ringNodeHead` and outputs `outputsHash`, sent by `relayer`.
    /// @param round The ring round.
    /// @param ringNodeHead Digest of the round's ring log node.
    /// @param outputsHash keccak256(abi.encode(gate, pins, cids)) of the round's outputs.
    /// @param relayer The account that sent the flush (the forwarder's signer when relayed).
    event Flushed(uint64 indexed round, bytes32 ringNodeHead, bytes32 outputsHash, address relayer);

    /// @notice `members` signed round `round` with the majority: each one's `agreements` grew by one.
    /// @param round The ring round.
    /// @param members The signers, ascending.
    event Agreed(uint64 indexed round, address[] members);

    /// @notice `member` was outvoted in round `round`: its `dissents` grew by one.
    /// @param member The outvoted member.
    /// @param round The ring round.
    /// @param ringNodeHead The ring head the member signed instead of the majority's.
    /// @param outputsHash The outputs hash the member signed.
    event Dissented(address indexed member, uint64 indexed round, bytes32 ringNodeHead, bytes32 outputsHash);

    /// @notice The members voted (`enter`) to admit or (not `enter`) to remove `member`, signed under
    ///         `membershipEpoch`; the change it makes moves the epoch on, so the vote never replays.
    /// @param enter True to admit the member, false to remove it.
    /// @param member The member's address.
    /// @param membershipEpoch The membership epoch the vote signed (see membershipEpoch).
    event MembershipVoted(bool enter, address indexed member, uint64 membershipEpoch);

    /// @notice The engine role moved from `previousOwner` to `newOwner`.
    /// @param previousOwner The engine before the change.
    /// @param newOwner The new engine.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The ring declares its outputs in `scope` (set once, by {initialize}).
    /// @param scope The Scope in which the ring declares its outputs (zero: the ring emits no outputs).
    event ScopeSet(IScope indexed scope);

    /// @notice The caller is not the engine.
    error NotOwner(address account);

    /// @notice The new owner is the zero address.
    error InvalidOwner(address owner);

    /// @notice `round` is not after the last flushed round `lastRound`.
    error StaleRound(uint64 round, uint64 lastRound);

    /// @notice `signers` valid votes, but the majority of the current members needs `required`.
    error InsufficientVotes(uint256 signers, uint256 required);

    /// @notice The flushed ring head is zero, which no ring log node digests to: archived, it would
    ///         read back as "not held" (see {ringLog}).
    error EmptyRingNodeHead();

    /// @notice `pins` and `cids` differ in length.
    error OutputsLengthMismatch(uint256 pins, uint256 cids);

    /// @notice Outputs were given without a gate.
    error OutputsWithoutGate();

    /// @notice The ring has no Scope to declare output data in.
    error NoScope();

    /// @notice `member` voted with the majority and dissented in the same flush, or its dissent
    ///         signs the majority's own ring head and outputs.
    error InvalidDissent(address member);

    /// @notice The membership vote signs membership epoch `epoch`, but the ring is at `current`: the
    ///         member list changed since the vote was signed.
    error StaleMembershipEpoch(uint64 epoch, uint64 current);

    /// @notice The membership vote's deadline has passed.
    error MembershipVoteExpired(uint256 deadline);

    /**
     * @notice Sets up a clone: engine, first members (in list order) and the Scope for outputs.
     *         Called once, by the factory, in the clone's creation transaction. Emits
     *         {OwnershipTransferred}, {ScopeSet} and a {MemberEntered} per member.
     * @param owner The ring's engine.
     * @param members Member addresses, in member-list order.
     * @param scope The Scope in which the ring declares its outputs.
     */
    function initialize(address owner, address[] calldata members, IScope scope) external;

    /// @notice The engine: admits and removes members.
    function owner() external view returns (address);

    /// @notice Hands the engine role to `newOwner`.
    /// @param newOwner The new engine.
    function transferOwnership(address newOwner) external;

    /// @notice The Scope in which the ring declares its output data.
    function scope() external view returns (IScope);

    /**
     * @notice The membership epoch: 0 after {initialize}, one more on every change of the member
     *         list, whoever makes it ({enter}, {exit}, {enterByVote}, {exitByVote}, a fork proof's
     *         ejection). Round votes and membership votes sign it, and count only under the current
     *         epoch, so a change voids every vote signed before it: a pending exit vote of a ring
     *         that shrank, or a round signed by a member list that is no longer the ring's.
     */
    function membershipEpoch() external view returns (uint64);

    /// @notice The smallest number of signers that passes a vote now: ceil(2/3 * memberCount), at least 1.
    function requiredVotes() external view returns (uint256);

    /**
     * @notice Records a round the members agreed on: the new ring head, every signer's log head, the
     *         signers' and dissenters' reputation, and the outputs (declared in the Scope and emitted on
     *         the Gate). Anyone may relay it.
     * @dev Passes iff `round` > round(), `ringNodeHead` is not zero, every vote was signed under the
     *      current {membershipEpoch}, every signer is a member, signers ascend, and
     *      signers * 3 >= memberCount * 2. (A vote of another epoch recovers to another address, so
     *      it fails as {NotAMember}, {SignersNotAscending} or {InsufficientVotes}.) Dissents must be members, ascend, sign the same round with a
     *      different ring head or outputs, and not be among the signers.
     *      Reputation is the relayer's selection (a kept design choice): the majority signs
     *      (round, membershipEpoch, ringNodeHead, outputsHash, logHead), not the set of votes and dissents, so whoever
     *      lands the flush picks which valid votes beyond the 2/3 and which dissents it carries, and
     *      a front-runner can land the round without a dissent. The round itself, its head and its
     *      outputs cannot be changed by the relayer, only whose `agreements` / `dissents` counters
     *      move; a dissent left out cannot be recorded later. Signing the vote set would need a
     *      second signing round among the members per round, and recording late dissents would need
     *      a storage write per (member, round) plus the round's outputs hash kept on chain; neither
     *      pays for counters that are advisory. Read reputation as a lower bound, and the members'
     *      logs (every vote is a log node) as the full record.
     * @param round The round, strictly after the last flushed one.
     * @param ringNodeHead Digest of the round's ring log node.
     * @param outputs The round's outputs (see {Outputs}).
     * @param votes The majority's votes, ordered by signer address.
     * @param dissents Outvoted votes of the same round, ordered by signer address (may be empty).
     */
    function flush(
        uint64 round,
        bytes32 ringNodeHead,
        Outputs calldata outputs,
        Vote[] calldata votes,
        Dissent[] calldata dissents
    ) external;

    /// @notice The engine admits `member` (never a proven forker, see {IForkProofs-isProvenForker}).
    /// @param member The member's address.
    function enter(address member) external;

    /// @notice The engine removes `member`; `prevMember` points to it in {members} (the sentinel address(1) for the first).
    /// @param prevMember The member before `member` in members() (address(1) for the first one).
    /// @param member The member's address.
    function exit(address prevMember, address member) external;

    /**
     * @notice Admits `member` by a 2/3 vote of the members, each signing
     *         Membership(true, member, membershipEpoch, deadline). A proven forker is refused
     *         ({ProvenForker}); a vote of another epoch is refused ({StaleMembershipEpoch}).
     * @param member The account to admit.
     * @param epoch The membership epoch the vote signs (see {membershipEpoch}).
     * @param deadline Unix time after which the vote is void.
     * @param signatures Compact signatures, ordered by signer address.
     */
    function enterByVote(address member, uint64 epoch, uint256 deadline, Signature[] calldata signatures) external;

    /**
     * @notice Removes `member` by a 2/3 vote of the members, each signing
     *         Membership(false, member, membershipEpoch, deadline); a vote of another epoch is
     *         refused ({StaleMembershipEpoch}).
     * @param prevMember The member before `member` in {members} (address(1) for the first).
     * @param member The member to remove.
     * @param epoch The membership epoch the vote signs (see {membershipEpoch}).
     * @param deadline Unix time after which the vote is void.
     * @param signatures Compact signatures, ordered by signer address.
     */
    function exitByVote(
        address prevMember,
        address member,
        uint64 epoch,
        uint256 deadline,
        Signature[] calldata signatures
    ) external;

    /// @notice The calling member publishes its ring node's multiaddress and PeerId.
    /// @param multiaddr The libp2p multiaddress where the member's ring node listens.
    /// @param peerId The libp2p PeerId bytes of the member's node.
    function setNodeInfo(string calldata multiaddr, bytes calldata peerId) external;

    /// @notice The calling member sets its own log head (typically relayed for a light client).
    /// @param head Digest (sha2-256, CIDv1 dag-cbor) of the member's latest log node.
    function updateLogHead(bytes32 head) external;
}
