// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

// Topics are the keys clients filter by (members, rings, rounds); amounts, flags and nonces are data.
// solhint-disable gas-indexed-events

import {IBlsRing} from "./IBlsRing.sol";
import {IReplicaRing} from "./IReplicaRing.sol";
import {IRing} from "./IRing.sol";
import {IScope} from "./IScope.sol";

/**
 * @title IRingFactory - the engine side: creates rings as minimal clones and lists them.
 * @author Rings
 * @notice Rings and replica rings are EIP-1167 clones of one implementation each; the factory lists
 *         them, so ReplicaRing can tell a real client ring from any other contract.
 */
interface IRingFactory {
    /// @notice A ring was created with engine `owner` and `members`.
    /// @param ring The ring's address.
    /// @param owner The ring's engine.
    /// @param members Member addresses, in member-list order.
    event RingCreated(address indexed ring, address indexed owner, address[] members);

    /// @notice `ring` (just created, {RingCreated} emitted before) is public: its members write their log entries in the clear.
    /// @param ring The ring's address.
    event PublicRingCreated(address indexed ring);

    /// @notice A replica ring was created for the members of `ring`, charging `fee` per registration.
    /// @param replicaRing The ReplicaRing contract.
    /// @param ring The ring's address.
    /// @param fee Fee in wei per client ring registration.
    event ReplicaRingCreated(address indexed replicaRing, address indexed ring, uint256 fee);

    /// @notice The Ring implementation every ring is a clone of.
    function ringImplementation() external view returns (IRing);

    /// @notice The ReplicaRing implementation every replica ring is a clone of.
    function replicaRingImplementation() external view returns (IReplicaRing);

    /// @notice The implementation BLS rings are cloned from.
    function blsRingImplementation() external view returns (IBlsRing);

    /// @notice The Scope every ring declares its outputs in.
    function scope() external view returns (IScope);

    /**
     * @notice Creates a ring.
     * @param members The first members (list order as given).
     * @param owner The ring's engine.
     * @return ring The new ring.
     */
    function createRing(address[] calldata members, address owner) external returns (IRing ring);

    /**
     * @notice Creates a BLS ring (see {IBlsRing}): rounds flushed by one aggregate signature. Its
     *         members register their BLS keys themselves after creation.
     * @param members The first members (list order as given).
     * @param owner The ring's engine.
     * @return ring The new ring (also listed by {rings} and {isRing}; {RingCreated} is emitted).
     */
    function createBlsRing(address[] calldata members, address owner) external returns (IBlsRing ring);

    /**
     * @notice Creates a public ring: as {createRing} (or {createBlsRing} with `bls`), recorded as
     *         public, so its members agree to write their log entries in the clear (no read keys).
     *         A ring is public from its creation or never.
     * @param members The first members (list order as given).
     * @param owner The ring's engine.
     * @param bls Whether the ring is a BLS ring (see {IBlsRing}).
     * @return ring The new ring.
     */
    function createPublicRing(address[] calldata members, address owner, bool bls) external returns (IRing ring);

    /**
     * @notice Whether `ring` was created public ({createPublicRing}); false for any other address.
     * @param ring The ring's address.
     * @return Whether its members write in the clear.
     */
    function isPublic(address ring) external view returns (bool);

    /**
     * @notice Creates a ring whose members are replica nodes, and its ReplicaRing contract, whose registrations
     *         run {DEFAULT_REPLICA_PERIOD} per fee.
     * @param members The replica nodes.
     * @param owner The engine of the new ring (who also withdraws the collected fees).
     * @param fee The fee in wei per client ring registration.
     * @return ring The Ring of the replica nodes.
     * @return replicaRing Its ReplicaRing contract.
     */
    function createReplicaRing(address[] calldata members, address owner, uint256 fee)
        external
        returns (IRing ring, IReplicaRing replicaRing);

    /**
     * @notice As {createReplicaRing}, with registrations running `period` seconds per fee.
     * @param members The replica nodes.
     * @param owner The engine of the new ring (who also withdraws the collected fees).
     * @param fee The fee in wei per client ring registration period.
     * @param period Seconds of retention one fee pays for (non-zero).
     * @return ring The Ring of the replica nodes.
     * @return replicaRing Its ReplicaRing contract.
     */
    function createReplicaRingWithPeriod(address[] calldata members, address owner, uint256 fee, uint64 period)
        external
        returns (IRing ring, IReplicaRing replicaRing);

    /// @notice The retention one fee pays for in a replica ring made by {createReplicaRing}: 30 days.
    function DEFAULT_REPLICA_PERIOD() external view returns (uint64); // solhint-disable-line func-name-mixedcase

    /// @notice Whether `account` is a ring created by this factory.
    /// @param account Any address.
    function isRing(address account) external view returns (bool);

    /// @notice All rings created by this factory (replica rings' Rings included), in creation order.
    function rings() external view returns (address[] memory);

    /// @notice The number of rings created.
    function ringCount() external view returns (uint256);

    /// @notice All ReplicaRing contracts created, in creation order.
    function replicaRings() external view returns (address[] memory);

    /// @notice The ReplicaRing bound to `ring` (zero if none).
    /// @param ring The ring's address.
    function replicaRingOf(address ring) external view returns (address);
}
