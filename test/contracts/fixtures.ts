/**
 * Shared set-up for the contract tests: a fresh in-process chain, the Rings contracts deployed by
 * the Ignition module, rings created through the factory, and members that sign votes.
 */
import { network } from "hardhat";
import { Wallet, type Signer } from "ethers";
import RingsModule from "../../deploy/modules/Rings.js";
import { outputsHash, ringDomain, type Outputs } from "../../node/src/core/eip712.js";
import { flushArgs, NO_OUTPUTS, signVote, type SignedVote } from "../../node/src/core/ringVotes.js";
import type { Gate, JobQueue, ReplicaRing, Ring, RingFactory, RingsForwarder, Scope } from "../../types/index.js";

export type Connection = Awaited<ReturnType<typeof network.create>>;
export type Ethers = Connection["ethers"];

export interface RingsDeployment {
  forwarder: RingsForwarder;
  ringImplementation: Ring;
  replicaRingImplementation: ReplicaRing;
  scope: Scope;
  gate: Gate;
  factory: RingFactory;
  jobQueue: JobQueue;
}

/** Deploys the contracts with deploy/modules/Rings.ts, as a deployment would. */
export async function deployRings(connection: Connection): Promise<RingsDeployment> {
  const deployed = await connection.ignition.deploy(RingsModule);
  const { ethers } = connection;
  return {
    forwarder: await ethers.getContractAt("RingsForwarder", await deployed.forwarder.getAddress()),
    ringImplementation: await ethers.getContractAt("Ring", await deployed.ringImplementation.getAddress()),
    replicaRingImplementation: await ethers.getContractAt("ReplicaRing", await deployed.replicaRingImplementation.getAddress()),
    scope: await ethers.getContractAt("Scope", await deployed.scope.getAddress()),
    gate: await ethers.getContractAt("Gate", await deployed.gate.getAddress()),
    factory: await ethers.getContractAt("RingFactory", await deployed.factory.getAddress()),
    jobQueue: await ethers.getContractAt("JobQueue", await deployed.jobQueue.getAddress()),
  };
}

/** Creates a ring through the factory and returns it. */
export async function createRing(ethers: Ethers, factory: RingFactory, members: readonly string[], owner: string): Promise<Ring> {
  const receipt = await (await factory.createRing([...members], owner)).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = factory.interface.parseLog(log);
    if (parsed?.name === "RingCreated") return ethers.getContractAt("Ring", parsed.args.ring as string);
  }
  throw new Error("RingCreated not emitted");
}

/** `count` deterministic member keys (not funded: they only sign). */
export function memberWallets(count: number, seed = "rings-member"): Wallet[] {
  return Array.from({ length: count }, (_, i) => new Wallet(`0x${Buffer.from(`${seed}-${i}`.padEnd(32, "#")).subarray(0, 32).toString("hex")}`));
}

/** A random 32-byte digest standing for a CID. */
export function digest(ethers: Ethers): string {
  return ethers.hexlify(ethers.randomBytes(32));
}

export interface RingUnderTest {
  connection: Connection;
  ethers: Ethers;
  deployment: RingsDeployment;
  ring: Ring;
  ringAddress: string;
  chainId: bigint;
  owner: Signer;
  relayer: Signer;
  members: Signer[];
}

/** A fresh chain with the contracts deployed and a ring of `memberCount` unfunded member wallets. */
export async function ringOfWallets(memberCount: number, connection?: Connection): Promise<RingUnderTest> {
  const conn = connection ?? (await network.create());
  const { ethers } = conn;
  const [owner, relayer] = await ethers.getSigners();
  if (owner === undefined || relayer === undefined) throw new Error("no accounts");
  const deployment = await deployRings(conn);
  const members = memberWallets(memberCount);
  const ring = await createRing(ethers, deployment.factory, await Promise.all(members.map((m) => m.getAddress())), await owner.getAddress());
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { connection: conn, ethers, deployment, ring, ringAddress: await ring.getAddress(), chainId, owner, relayer, members };
}

/** Every member in `signers` signs round `round` with a fresh log head, under `membershipEpoch` (default: the ring's now). */
export async function signRound(
  context: Pick<RingUnderTest, "chainId" | "ringAddress" | "ethers" | "ring">,
  signers: readonly Signer[],
  round: bigint,
  ringNodeHead: string,
  outputs: Outputs = NO_OUTPUTS,
  membershipEpoch?: bigint,
): Promise<SignedVote[]> {
  const domain = ringDomain(context.chainId, context.ringAddress);
  const hash = outputsHash(outputs);
  const epoch = membershipEpoch ?? (await context.ring.membershipEpoch());
  return Promise.all(signers.map((signer) => signVote(signer, domain, { round, membershipEpoch: epoch, ringNodeHead, outputsHash: hash, logHead: digest(context.ethers) })));
}

/** Signs and flushes round `round` with `signers`; returns the receipt. */
export async function flushRound(context: RingUnderTest, signers: readonly Signer[], round: bigint, outputs: Outputs = NO_OUTPUTS) {
  const ringNodeHead = digest(context.ethers);
  const votes = await signRound(context, signers, round, ringNodeHead, outputs);
  const tx = await context.ring.connect(context.relayer).flush(...flushArgs({ round, ringNodeHead, outputs, votes }));
  return { receipt: await tx.wait(), ringNodeHead, votes };
}

/** ERC-2771 ForwardRequest typed data of OpenZeppelin's ERC2771Forwarder. */
export const FORWARD_REQUEST_TYPES = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};

/** A request signed by `from` for the forwarder to call `to` with `data`, ready for `forwarder.execute`. */
export async function signForwardRequest(forwarder: RingsForwarder, from: Signer, to: string, data: string, gas = 300_000n) {
  const [, , version, chainId, verifyingContract] = await forwarder.eip712Domain();
  const name = "RingsForwarder";
  const fromAddress = await from.getAddress();
  const nonce = await forwarder.nonces(fromAddress);
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const message = { from: fromAddress, to, value: 0n, gas, nonce, deadline, data };
  const signature = await from.signTypedData({ name, version, chainId, verifyingContract }, FORWARD_REQUEST_TYPES, message);
  return { from: fromAddress, to, value: 0n, gas, deadline, data, signature };
}

/** A ring whose members are funded Hardhat accounts (they send transactions themselves). */
export async function ringOfAccounts(memberCount: number): Promise<RingUnderTest & { outsider: Signer }> {
  const connection = await network.create();
  const { ethers } = connection;
  const accounts = await ethers.getSigners();
  const [owner, relayer, outsider] = accounts;
  if (owner === undefined || relayer === undefined || outsider === undefined) throw new Error("no accounts");
  const members = accounts.slice(3, 3 + memberCount);
  const deployment = await deployRings(connection);
  const ring = await createRing(ethers, deployment.factory, await Promise.all(members.map((m) => m.getAddress())), await owner.getAddress());
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { connection, ethers, deployment, ring, ringAddress: await ring.getAddress(), chainId, owner, relayer, members, outsider };
}
