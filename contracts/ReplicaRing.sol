// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IReplicaRing} from "./interfaces/IReplicaRing.sol";
import {IRing} from "./interfaces/IRing.sol";
import {IRingFactory} from "./interfaces/IRingFactory.sol";

/**
 * @title ReplicaRing - client rings register here, and pay, to have their logs replicated.
 * @author Rings
 * @notice Bound to one Ring whose members run replica nodes. Clones share the implementation's
 *         trusted forwarder, so a replica node can relay a client member's signed `register`.
 *         A registration runs for the periods paid ({fee} each, {register} pays the first, {renew} more);
 *         replica nodes follow and keep a ring's logs while it runs and may drop them once it has expired.
 */
contract ReplicaRing is IReplicaRing, Initializable, ERC2771Context, ReentrancyGuard {
    /// @dev Two slots: registrant and both times packed in one, the key commitment in the second (one more
    ///      SSTORE, ~22k gas, paid once per registration, so the node can check a handed-over key).
    struct Registration {
        address registrant;
        uint48 registeredAt;
        uint48 expiresAt;
        bytes32 replicaKeyCommitment;
    }

    /// @inheritdoc IReplicaRing
    uint64 public constant MAX_PERIODS_PER_PAYMENT = 1000;

    /// @inheritdoc IReplicaRing
    uint256 public constant MAX_ENDPOINT_BYTES = 256;

    /// @inheritdoc IReplicaRing
    IRing public ring;

    /// @inheritdoc IReplicaRing
    address public factory;

    /// @inheritdoc IReplicaRing
    uint256 public fee;

    /// @inheritdoc IReplicaRing
    uint64 public period;

    /// @inheritdoc IReplicaRing
    uint256 public collectedFees;

    mapping(address account => uint256 credit) private _credits;
    mapping(address clientRing => Registration registration) private _registrations;
    /// @dev The expiry whose lapse {expire} announced last (so each expiry is announced once).
    mapping(address clientRing => uint48 expiresAt) private _lapseAnnounced;
    address[] private _registered;
    mapping(address member => string url) private _endpoints;

    /// @notice Deploys the implementation (not usable itself: replica rings are its clones).
    /// @param trustedForwarder_ The ERC-2771 forwarder every clone trusts.
    constructor(address trustedForwarder_) ERC2771Context(trustedForwarder_) {
        _disableInitializers();
    }

    /// @inheritdoc IReplicaRing
    function initialize(IRing ring_, uint256 fee_, uint64 period_) external initializer {
        if (period_ == 0) revert ZeroPeriod();
        ring = ring_;
        fee = fee_;
        period = period_;
        factory = msg.sender;
        emit Configured(ring_, fee_, msg.sender);
        emit PeriodConfigured(period_);
    }

    /// @inheritdoc IReplicaRing
    function deposit(address account) external payable {
        _credits[account] += msg.value;
        emit CreditDeposited(account, msg.value);
    }

    /// @inheritdoc IReplicaRing
    function creditOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /// @inheritdoc IReplicaRing
    function withdrawCredit(uint256 amount) external nonReentrant {
        address account = _msgSender();
        uint256 credit = _credits[account];
        if (credit < amount) revert InsufficientCredit(account, credit, amount);
        _credits[account] = credit - amount;
        emit CreditWithdrawn(account, amount);
        _send(payable(account), amount);
    }

    /// @inheritdoc IReplicaRing
    function register(address clientRing, bytes32 replicaKeyCommitment) external {
        address registrant = _msgSender();
        if (replicaKeyCommitment == bytes32(0)) revert ZeroKeyCommitment(clientRing);
        if (!IRingFactory(factory).isRing(clientRing)) revert UnknownRing(clientRing);
        if (!IRing(clientRing).isMember(registrant)) revert NotAClientMember(registrant, clientRing);
        if (_registrations[clientRing].registrant != address(0)) revert AlreadyRegistered(clientRing);
        uint256 price = _charge(registrant, 1);
        // solhint-disable-next-line not-rely-on-time
        uint48 now_ = uint48(block.timestamp);
        uint48 expiresAt_ = now_ + uint48(period);
        _registrations[clientRing] = Registration(registrant, now_, expiresAt_, replicaKeyCommitment);
        _registered.push(clientRing);
        emit RingRegistered(clientRing, registrant, price);
        emit RegistrationRenewed(clientRing, registrant, 1, expiresAt_);
    }

    /// @inheritdoc IReplicaRing
    function renew(address clientRing, uint64 periods) external returns (uint64 expiresAt_) {
        address payer = _msgSender();
        Registration storage registration = _registrations[clientRing];
        if (registration.registrant == address(0)) revert NotRegistered(clientRing);
        if (periods == 0 || periods > MAX_PERIODS_PER_PAYMENT) revert PeriodsOutOfRange(periods, MAX_PERIODS_PER_PAYMENT);
        _charge(payer, periods);
        // solhint-disable-next-line not-rely-on-time
        uint48 from = registration.expiresAt > block.timestamp ? registration.expiresAt : uint48(block.timestamp);
        uint48 next = from + uint48(period * periods);
        registration.expiresAt = next;
        emit RegistrationRenewed(clientRing, payer, periods, next);
        return next;
    }

    /// @inheritdoc IReplicaRing
    function expire(address clientRing) external {
        Registration storage registration = _registrations[clientRing];
        if (registration.registrant == address(0)) revert NotRegistered(clientRing);
        uint48 expiresAt_ = registration.expiresAt;
        // solhint-disable-next-line not-rely-on-time
        if (block.timestamp < expiresAt_) revert NotExpired(clientRing, expiresAt_);
        if (_lapseAnnounced[clientRing] == expiresAt_) revert LapseAlreadyAnnounced(clientRing, expiresAt_);
        _lapseAnnounced[clientRing] = expiresAt_;
        emit RegistrationExpired(clientRing, expiresAt_);
    }

    /// @inheritdoc IReplicaRing
    function isRegistered(address clientRing) external view returns (bool) {
        Registration storage registration = _registrations[clientRing];
        // solhint-disable-next-line not-rely-on-time
        return registration.registrant != address(0) && block.timestamp < registration.expiresAt;
    }

    /// @inheritdoc IReplicaRing
    function expiresAt(address clientRing) external view returns (uint64) {
        return _registrations[clientRing].expiresAt;
    }

    /// @inheritdoc IReplicaRing
    function registrationOf(address clientRing) external view returns (address registrant, uint64 registeredAt) {
        Registration storage registration = _registrations[clientRing];
        return (registration.registrant, registration.registeredAt);
    }

    /// @inheritdoc IReplicaRing
    function replicaKeyCommitmentOf(address clientRing) external view returns (bytes32) {
        return _registrations[clientRing].replicaKeyCommitment;
    }

    /// @inheritdoc IReplicaRing
    function registrations() external view returns (address[] memory) {
        return _registered;
    }

    /// @inheritdoc IReplicaRing
    function withdrawFees(address payable to) external nonReentrant {
        address sender = _msgSender();
        if (sender != ring.owner()) revert NotRingOwner(sender);
        uint256 amount = collectedFees;
        collectedFees = 0;
        emit FeesWithdrawn(to, amount);
        _send(to, amount);
    }

    /// @inheritdoc IReplicaRing
    function setEndpoint(string calldata url) external {
        address member = _msgSender();
        if (!ring.isMember(member)) revert NotAReplicaMember(member);
        if (bytes(url).length > MAX_ENDPOINT_BYTES) revert EndpointTooLong(bytes(url).length, MAX_ENDPOINT_BYTES);
        _endpoints[member] = url;
        emit EndpointSet(member, url);
    }

    /// @inheritdoc IReplicaRing
    function endpointOf(address member) external view returns (string memory) {
        return ring.isMember(member) ? _endpoints[member] : "";
    }

    /// @dev Charges `account`'s credit {fee} x `periods`; returns the price.
    function _charge(address account, uint64 periods) private returns (uint256 price) {
        uint256 credit = _credits[account];
        price = fee * periods;
        if (credit < price) revert InsufficientCredit(account, credit, price);
        _credits[account] = credit - price;
        collectedFees += price;
    }

    function _send(address payable to, uint256 amount) private {
        (bool sent, ) = to.call{value: amount}("");
        if (!sent) revert TransferFailed(to, amount);
    }
}
