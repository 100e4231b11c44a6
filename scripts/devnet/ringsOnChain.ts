/**
 * The Rings contracts on a JSON-RPC chain, wired as deploy/modules/Rings.ts wires them, and rings
 * and replica rings created through the factory, for node tests, the main job and benchmarks.
 */
import { getAddress, parseEther, type ContractTransactionResponse, type Result, type Signer } from "ethers";
import { BlsRing__factory, Gate__factory, JobQueue__factory, ReplicaRing__factory, Ring__factory, RingFactory__factory, RingsForwarder__factory, Scope__factory, type Ring, type RingFactory } from "../../types/index.js";

export interface RingsContracts {
  forwarder: string;
  factory: RingFactory;
  scope: string;
  gate: string;
  jobQueue: string;
}

export async function deployRingsContracts(deployer: Signer): Promise<RingsContracts> {
  const owner = await deployer.getAddress();
  const forwarder = await (await new RingsForwarder__factory(deployer).deploy()).waitForDeployment();
  const forwarderAddress = await forwarder.getAddress();
  const ring = await (await new Ring__factory(deployer).deploy(forwarderAddress)).waitForDeployment();
  const replicaRing = await (await new ReplicaRing__factory(deployer).deploy(forwarderAddress)).waitForDeployment();
  const blsRing = await (await new BlsRing__factory(deployer).deploy(forwarderAddress)).waitForDeployment();
  const scope = await (await new Scope__factory(deployer).deploy()).waitForDeployment();
  const gate = await (await new Gate__factory(deployer).deploy(owner)).waitForDeployment();
  const factory = await (await new RingFactory__factory(deployer).deploy(await ring.getAddress(), await replicaRing.getAddress(), await scope.getAddress(), await blsRing.getAddress())).waitForDeployment();
  const jobQueue = await (await new JobQueue__factory(deployer).deploy()).waitForDeployment();
  return { forwarder: forwarderAddress, factory, scope: await scope.getAddress(), gate: await gate.getAddress(), jobQueue: await jobQueue.getAddress() };
}

/** The arguments of the factory's `event` in the mined transaction. */
async function factoryEvent(factory: RingFactory, sent: Promise<ContractTransactionResponse>, event: "RingCreated" | "ReplicaRingCreated"): Promise<Result> {
  const receipt = await (await sent).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = factory.interface.parseLog(log);
    if (parsed?.name === event) return parsed.args;
  }
  throw new Error(`${event} not emitted`);
}

/** Creates a ring of `members` owned by `owner`; returns its address. */
export async function createRing(factory: RingFactory, members: readonly string[], owner: string): Promise<string> {
  const args = await factoryEvent(factory, factory.createRing([...members], owner), "RingCreated");
  return getAddress(args.ring as string);
}

/** Creates a BlsRing (rounds flushed with one BLS aggregate) of `members` owned by `owner`; returns its address. */
export async function createBlsRing(factory: RingFactory, members: readonly string[], owner: string): Promise<string> {
  const args = await factoryEvent(factory, factory.createBlsRing([...members], owner), "RingCreated");
  return getAddress(args.ring as string);
}

/** A replica ring of `members` charging `fee` per registration: its Ring and its ReplicaRing. */
export async function createReplicaRing(factory: RingFactory, members: readonly string[], owner: string, fee: bigint): Promise<{ ring: string; replicaRing: string }> {
  const args = await factoryEvent(factory, factory.createReplicaRing([...members], owner, fee), "ReplicaRingCreated");
  return { ring: getAddress(args.ring as string), replicaRing: getAddress(args.replicaRing as string) };
}

export function ringAt(address: string, runner: Signer): Ring {
  return Ring__factory.connect(address, runner);
}

/** Sends each address `amount` (default 1 ETH) so members can publish node info and relay. */
export async function fund(from: Signer, addresses: readonly string[], amount = parseEther("1")): Promise<void> {
  for (const to of addresses) await (await from.sendTransaction({ to, value: amount })).wait();
}
