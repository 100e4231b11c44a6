/**
 * The Rings contracts on a JSON-RPC chain, deployed the way deploy/modules/Rings.ts wires them
 * (forwarder, Ring and ReplicaRing implementations trusting it, Scope, Gate, RingFactory), plus
 * rings and replica rings created through the factory.
 */
import { getAddress, type Signer } from "ethers";
import {
  Gate__factory,
  ReplicaRing__factory,
  Ring__factory,
  RingFactory__factory,
  RingsForwarder__factory,
  Scope__factory,
  type RingFactory,
} from "../../../../types/index.js";

export interface RingsContracts {
  forwarder: string;
  factory: RingFactory;
  scope: string;
  gate: string;
}

export async function deployRingsContracts(deployer: Signer): Promise<RingsContracts> {
  const owner = await deployer.getAddress();
  const forwarder = await (await new RingsForwarder__factory(deployer).deploy()).waitForDeployment();
  const forwarderAddress = await forwarder.getAddress();
  const ring = await (await new Ring__factory(deployer).deploy(forwarderAddress)).waitForDeployment();
  const replicaRing = await (await new ReplicaRing__factory(deployer).deploy(forwarderAddress)).waitForDeployment();
  const scope = await (await new Scope__factory(deployer).deploy()).waitForDeployment();
  const gate = await (await new Gate__factory(deployer).deploy(owner)).waitForDeployment();
  const factory = await (await new RingFactory__factory(deployer).deploy(await ring.getAddress(), await replicaRing.getAddress(), await scope.getAddress())).waitForDeployment();
  return { forwarder: forwarderAddress, factory, scope: await scope.getAddress(), gate: await gate.getAddress() };
}

export async function createRingOf(factory: RingFactory, members: string[], owner: string): Promise<string> {
  const receipt = await (await factory.createRing(members, owner)).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = factory.interface.parseLog(log);
    if (parsed?.name === "RingCreated") return getAddress(parsed.args.ring as string);
  }
  throw new Error("RingCreated not emitted");
}

/** A replica ring of `members` charging `fee` per registration: its Ring and its ReplicaRing. */
export async function createReplicaRingOf(factory: RingFactory, members: string[], owner: string, fee: bigint): Promise<{ ring: string; replicaRing: string }> {
  const receipt = await (await factory.createReplicaRing(members, owner, fee)).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = factory.interface.parseLog(log);
    if (parsed?.name === "ReplicaRingCreated") return { ring: getAddress(parsed.args.ring as string), replicaRing: getAddress(parsed.args.replicaRing as string) };
  }
  throw new Error("ReplicaRingCreated not emitted");
}
