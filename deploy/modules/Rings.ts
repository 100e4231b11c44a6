/**
 * Deploys the Rings contracts: the ERC-2771 forwarder, the Ring, BlsRing and ReplicaRing
 * implementations (all trusting the forwarder), the Scope, a Gate, the RingFactory that clones rings, and the
 * JobQueue where clients queue jobs for rings whose members may be offline.
 *
 *   npx hardhat ignition deploy deploy/modules/Rings.ts --network localhost
 *
 * Ignition records the addresses in deploy/deployments/chain-<id>/deployed_addresses.json;
 * `deploy/addresses.ts` reads them back. Parameter: `Rings.gateOwner` (default: the deployer).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("Rings", (m) => {
  const gateOwner = m.getParameter("gateOwner", m.getAccount(0));

  const forwarder = m.contract("RingsForwarder");
  const ringImplementation = m.contract("Ring", [forwarder]);
  const replicaRingImplementation = m.contract("ReplicaRing", [forwarder]);
  const blsRingImplementation = m.contract("BlsRing", [forwarder]);
  const scope = m.contract("Scope");
  const gate = m.contract("Gate", [gateOwner]);
  const factory = m.contract("RingFactory", [ringImplementation, replicaRingImplementation, scope, blsRingImplementation]);
  const jobQueue = m.contract("JobQueue");

  return { forwarder, ringImplementation, replicaRingImplementation, blsRingImplementation, scope, gate, factory, jobQueue };
});
