// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Topics are the keys clients filter by (members, rings, rounds); amounts, flags and nonces are data.
// solhint-disable gas-indexed-events

import {IRing} from "./IRing.sol";

/**
 * @title IReplicaRing - a ring whose members replicate client rings' logs, for a fee.
 * @author Rings
 * @notice A client pre-funds a credit ({deposit}); a member of a client ring then registers that
 *         ring ({register}), typically through the ERC-2771 forwarder so a replica node can relay
 *         the light client's signed request and pay its gas. The fee is charged from the sender's credit.
 *         Retention: the fee pays one {period} (seconds); a registration runs until {expiresAt}, {renew}
 *         pays further periods, and once it has run out {isRegistered} is false, replica nodes stop
 *         following the ring and may unpin its logs; {expire} announces the lapse on chain.
 */
interface IReplicaRing {
    /// @notice `amount` wei were credited to `account`.
    /// @param account Any address.
    /// @param amount Amount in wei.
    event CreditDeposited(address indexed account, uint256 amount);

    /// @notice `account` withdrew `amount` wei of unused credit.
    /// @param account Any address.
    /// @param amount Amount in wei.
    event CreditWithdrawn(address indexed account, uint256 amount);

    /// @notice `clientRing` was registered by its member `registrant`, who paid `fee`.
    /// @param clientRing The client ring's address.
    /// @param registrant The client ring member who registered (and paid).
    /// @param fee Fee in wei per client ring registration.
    event RingRegistered(address indexed clientRing, address indexed registrant, uint256 fee);

    /// @notice `clientRing`'s registration was paid `periods` more periods by `payer` and now runs until `expiresAt`.
    /// @param clientRing The client ring's address.
    /// @param payer Whose credit paid.
    /// @param periods How many periods were paid.
    /// @param expiresAt Block timestamp (seconds) at which the registration ends.
    event RegistrationRenewed(address indexed clientRing, address indexed payer, uint64 periods, uint64 expiresAt);

    /// @notice `clientRing`'s registration ran out at `expiresAt`: replica nodes no longer keep its logs.
    /// @param clientRing The client ring's address.
    /// @param expiresAt Block timestamp (seconds) at which it ended.
    event RegistrationExpired(address indexed clientRing, uint64 expiresAt);

    /// @notice Every registration with this replica ring runs `period` seconds per fee paid (set once, by {initialize}).
    /// @param period Seconds per fee.
    event PeriodConfigured(uint64 period);

    /// @notice The replica ring's engine collected `amount` wei of fees to `to`.
    /// @param to Recipient of the ether.
    /// @param amount Amount in wei.
    event FeesWithdrawn(address indexed to, uint256 amount);

    /// @notice The replica node of `member` serves JSON-RPC (GetReplicaLog, FlushToRing, ReplicateRing) at `url` ("" withdraws it).
    /// @param member A member of {ring}.
    /// @param url The endpoint's URL, at most {MAX_ENDPOINT_BYTES} bytes.
    event EndpointSet(address indexed member, string url);

    /// @notice The replica ring was bound to `ring`, charges `fee` per registration and accepts the
    ///         rings of `factory` (set once, by {initialize}).
    /// @param ring The Ring whose members are the replica nodes.
    /// @param fee Fee in wei per client ring registration.
    /// @param factory The factory that created the replica ring, whose rings may register.
    event Configured(IRing indexed ring, uint256 fee, address indexed factory);

    /// @notice `clientRing` is not a ring created by the factory.
    error UnknownRing(address clientRing);

    /// @notice `account` is not a member of `clientRing`.
    error NotAClientMember(address account, address clientRing);

    /// @notice `clientRing` is already registered.
    error AlreadyRegistered(address clientRing);

    /// @notice A registration of `clientRing` must commit to a replica key (the commitment is zero).
    error ZeroKeyCommitment(address clientRing);

    /// @notice `account` has `credit` wei, `needed` are required.
    error InsufficientCredit(address account, uint256 credit, uint256 needed);

    /// @notice `clientRing` has never been registered.
    error NotRegistered(address clientRing);

    /// @notice `clientRing`'s registration runs until `expiresAt`, which has not come.
    error NotExpired(address clientRing, uint64 expiresAt);

    /// @notice The lapse of `clientRing`'s registration at `expiresAt` was announced already.
    error LapseAlreadyAnnounced(address clientRing, uint64 expiresAt);

    /// @notice A payment is for 1 to `max` periods, not `periods`.
    error PeriodsOutOfRange(uint64 periods, uint64 max);

    /// @notice A replica ring's period must be longer than zero seconds.
    error ZeroPeriod();

    /// @notice Only the replica ring's engine may withdraw fees.
    error NotRingOwner(address account);

    /// @notice Only a member of {ring} publishes a replica node's endpoint; `account` is none.
    error NotAReplicaMember(address account);

    /// @notice An endpoint is at most `max` bytes, not `length`.
    error EndpointTooLong(uint256 length, uint256 max);

    /// @notice A transfer of ether failed.
    error TransferFailed(address to, uint256 amount);

    /// @notice Binds a clone to its Ring, its fee, its period and the calling factory; called once by the factory.
    ///         Emits {Configured} and {PeriodConfigured}.
    /// @param ring The ring's address.
    /// @param fee Fee in wei per client ring registration period.
    /// @param period Seconds a fee pays for (non-zero).
    function initialize(IRing ring, uint256 fee, uint64 period) external;

    /// @notice Seconds of retention one {fee} pays for.
    function period() external view returns (uint64);

    /// @notice The most periods one {renew} pays for.
    function MAX_PERIODS_PER_PAYMENT() external view returns (uint64); // solhint-disable-line func-name-mixedcase

    /// @notice The Ring whose members are the replica nodes.
    function ring() external view returns (IRing);

    /// @notice The factory whose rings may register.
    function factory() external view returns (address);

    /// @notice The fee, in wei, charged per registration.
    function fee() external view returns (uint256);

    /// @notice Adds `msg.value` to `account`'s credit.
    /// @param account Any address.
    function deposit(address account) external payable;

    /// @notice The unused credit of `account`.
    /// @param account Any address.
    function creditOf(address account) external view returns (uint256);

    /// @notice Withdraws `amount` of the sender's unused credit to the sender.
    /// @param amount Amount in wei.
    function withdrawCredit(uint256 amount) external;

    /**
     * @notice Registers `clientRing` for one {period}: the sender (a member of it, possibly via the forwarder) pays
     *         {fee} from its credit, and commits to the ring's replica key. Emits {RingRegistered} and {RegistrationRenewed}.
     * @dev The commitment is what gives the replica key its role: a replica node keeps a handed-over key only when
     *      its commitment (keccak256 of "rings/replica-key/v1" and the key, node/src/replica/ringKeys.ts) is this
     *      one, and then serves only requests MACed with that key. The member's signature over this call covers
     *      the commitment, so a relayed request cannot be paired with another key, and nobody (not even a member)
     *      replaces the key of a registered ring.
     * @param clientRing The client ring's address.
     * @param replicaKeyCommitment The commitment to the ring's replica key (non-zero).
     */
    function register(address clientRing, bytes32 replicaKeyCommitment) external;

    /**
     * @notice Pays `periods` more periods of `clientRing`'s registration from the sender's credit ({fee} each):
     *         from its expiry if it still runs, from now if it has run out. Anyone may pay. Emits {RegistrationRenewed}.
     * @param clientRing The client ring's address (registered before).
     * @param periods 1 to {MAX_PERIODS_PER_PAYMENT}.
     * @return expiresAt The new expiry (block timestamp, seconds).
     */
    function renew(address clientRing, uint64 periods) external returns (uint64 expiresAt);

    /// @notice Announces that `clientRing`'s registration has run out: emits {RegistrationExpired} once per expiry.
    ///         Anyone may call it (a replica node does when it stops following).
    /// @param clientRing The client ring's address.
    function expire(address clientRing) external;

    /// @notice Whether `clientRing` is registered and its paid period has not run out.
    /// @param clientRing The client ring's address.
    function isRegistered(address clientRing) external view returns (bool);

    /// @notice When `clientRing`'s registration runs out (block timestamp, seconds; zero if never registered).
    /// @param clientRing The client ring's address.
    function expiresAt(address clientRing) external view returns (uint64);

    /**
     * @notice The registration of `clientRing`.
     * @return registrant The member who registered it (zero if not registered).
     * @return registeredAt The block timestamp of the registration.
     * @param clientRing The client ring's address.
     */
    function registrationOf(address clientRing) external view returns (address registrant, uint64 registeredAt);

    /// @notice The replica key commitment `clientRing` registered with (zero if not registered).
    /// @param clientRing The client ring's address.
    function replicaKeyCommitmentOf(address clientRing) external view returns (bytes32);

    /// @notice All client rings ever registered (running or run out: see {isRegistered}), in registration order.
    function registrations() external view returns (address[] memory);

    /// @notice Fees collected and not yet withdrawn.
    function collectedFees() external view returns (uint256);

    /// @notice The replica ring's engine withdraws the collected fees to `to`.
    /// @param to Recipient of the ether.
    function withdrawFees(address payable to) external;

    /// @notice The longest endpoint URL {setEndpoint} takes, in bytes.
    function MAX_ENDPOINT_BYTES() external view returns (uint256); // solhint-disable-line func-name-mixedcase

    /**
     * @notice The sender, a member of {ring} (possibly via the forwarder), publishes where its replica node serves
     *         JSON-RPC, so client rings' members find GetReplicaLog without being told out of band. Emits {EndpointSet}.
     * @param url The URL (at most {MAX_ENDPOINT_BYTES} bytes; "" withdraws it).
     */
    function setEndpoint(string calldata url) external;

    /// @notice The JSON-RPC URL `member`'s replica node published ("" if none, or if `member` is no longer a member of {ring}).
    /// @param member Any address.
    function endpointOf(address member) external view returns (string memory);
}
