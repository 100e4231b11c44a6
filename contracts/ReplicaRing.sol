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
 */
contract ReplicaRing is IReplicaRing, Initializable, ERC2771Context, ReentrancyGuard {
    /// @dev Two slots: registrant and time packed in one, the key commitment in the second (one more
    ///      SSTORE, ~22k gas, paid once per registration, so the node can check a handed-over key).
    struct Registration {
        address registrant;
        uint64 registeredAt;
        bytes32 replicaKeyCommitment;
    }

    /// @inheritdoc IReplicaRing
    IRing public ring;

    /// @inheritdoc IReplicaRing
    address public factory;

    /// @inheritdoc IReplicaRing
    uint256 public fee;

    /// @inheritdoc IReplicaRing
    uint256 public collectedFees;

    mapping(address account => uint256 credit) private _credits;
    mapping(address clientRing => Registration registration) private _registrations;
    address[] private _registered;

    /// @notice Deploys the implementation (not usable itself: replica rings are its clones).
    /// @param trustedForwarder_ The ERC-2771 forwarder every clone trusts.
    constructor(address trustedForwarder_) ERC2771Context(trustedForwarder_) {
        _disableInitializers();
    }

    /// @inheritdoc IReplicaRing
    function initialize(IRing ring_, uint256 fee_) external initializer {
        ring = ring_;
        fee = fee_;
        factory = msg.sender;
        emit Configured(ring_, fee_, msg.sender);
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
        uint256 credit = _credits[registrant];
        uint256 price = fee;
        if (credit < price) revert InsufficientCredit(registrant, credit, price);
        _credits[registrant] = credit - price;
        collectedFees += price;
        // solhint-disable-next-line not-rely-on-time
        _registrations[clientRing] = Registration(registrant, uint64(block.timestamp), replicaKeyCommitment);
        _registered.push(clientRing);
        emit RingRegistered(clientRing, registrant, price);
    }

    /// @inheritdoc IReplicaRing
    function isRegistered(address clientRing) external view returns (bool) {
        return _registrations[clientRing].registrant != address(0);
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

    function _send(address payable to, uint256 amount) private {
        (bool sent, ) = to.call{value: amount}("");
        if (!sent) revert TransferFailed(to, amount);
    }
}
