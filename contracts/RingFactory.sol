// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IReplicaRing} from "./interfaces/IReplicaRing.sol";
import {IBlsRing} from "./interfaces/IBlsRing.sol";
import {IRing} from "./interfaces/IRing.sol";
import {IRingFactory} from "./interfaces/IRingFactory.sol";
import {IScope} from "./interfaces/IScope.sol";

// The immutables keep the names of the IRingFactory getters they implement.
// solhint-disable immutable-vars-naming

/**
 * @title RingFactory - the engine's side: creates rings and replica rings as minimal clones.
 * @author Rings
 * @notice A clone costs a fraction of a full deployment and shares the implementation's immutables
 *         (EIP-712 name and version, trusted forwarder); its EIP-712 domain is its own address.
 */
contract RingFactory is IRingFactory {
    /// @inheritdoc IRingFactory
    IRing public immutable ringImplementation;

    /// @inheritdoc IRingFactory
    IReplicaRing public immutable replicaRingImplementation;

    /// @inheritdoc IRingFactory
    IScope public immutable scope;

    /// @inheritdoc IRingFactory
    IBlsRing public immutable blsRingImplementation;

    /// @inheritdoc IRingFactory
    uint64 public constant DEFAULT_REPLICA_PERIOD = 30 days;

    address[] private _rings;
    address[] private _replicaRings;
    mapping(address account => bool created) private _isRing;
    mapping(address ring => address replicaRing) private _replicaRingOf;
    mapping(address ring => bool isPublic) private _isPublic;

    constructor(
        IRing ringImplementation_,
        IReplicaRing replicaRingImplementation_,
        IScope scope_,
        IBlsRing blsRingImplementation_
    ) {
        ringImplementation = ringImplementation_;
        replicaRingImplementation = replicaRingImplementation_;
        scope = scope_;
        blsRingImplementation = blsRingImplementation_;
    }

    /// @inheritdoc IRingFactory
    function createRing(address[] calldata members, address owner) public returns (IRing ring) {
        ring = _create(address(ringImplementation), members, owner);
    }

    /// @inheritdoc IRingFactory
    function createBlsRing(address[] calldata members, address owner) external returns (IBlsRing ring) {
        ring = IBlsRing(address(_create(address(blsRingImplementation), members, owner)));
    }

    /// @inheritdoc IRingFactory
    function createPublicRing(address[] calldata members, address owner, bool bls) external returns (IRing ring) {
        ring = _create(bls ? address(blsRingImplementation) : address(ringImplementation), members, owner);
        _isPublic[address(ring)] = true;
        emit PublicRingCreated(address(ring));
    }

    /// @inheritdoc IRingFactory
    function isPublic(address ring) external view returns (bool) {
        return _isPublic[ring];
    }

    function _create(address implementation, address[] calldata members, address owner) private returns (IRing ring) {
        ring = IRing(Clones.clone(implementation));
        _rings.push(address(ring));
        _isRing[address(ring)] = true;
        emit RingCreated(address(ring), owner, members);
        ring.initialize(owner, members, scope);
    }

    /// @inheritdoc IRingFactory
    function createReplicaRing(address[] calldata members, address owner, uint256 fee)
        external
        returns (IRing ring, IReplicaRing replicaRing)
    {
        return createReplicaRingWithPeriod(members, owner, fee, DEFAULT_REPLICA_PERIOD);
    }

    /// @inheritdoc IRingFactory
    function createReplicaRingWithPeriod(address[] calldata members, address owner, uint256 fee, uint64 period)
        public
        returns (IRing ring, IReplicaRing replicaRing)
    {
        ring = createRing(members, owner);
        replicaRing = IReplicaRing(Clones.clone(address(replicaRingImplementation)));
        _replicaRings.push(address(replicaRing));
        _replicaRingOf[address(ring)] = address(replicaRing);
        emit ReplicaRingCreated(address(replicaRing), address(ring), fee);
        replicaRing.initialize(ring, fee, period);
    }

    /// @inheritdoc IRingFactory
    function isRing(address account) external view returns (bool) {
        return _isRing[account];
    }

    /// @inheritdoc IRingFactory
    function rings() external view returns (address[] memory) {
        return _rings;
    }

    /// @inheritdoc IRingFactory
    function ringCount() external view returns (uint256) {
        return _rings.length;
    }

    /// @inheritdoc IRingFactory
    function replicaRings() external view returns (address[] memory) {
        return _replicaRings;
    }

    /// @inheritdoc IRingFactory
    function replicaRingOf(address ring) external view returns (address) {
        return _replicaRingOf[ring];
    }
}
