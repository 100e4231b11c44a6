/**
 * Set-up for the BLS vote tests: a BlsVotesHarness (a BLS ring's vote path alone) on a fresh
 * in-process chain, members with BLS keys registered with proofs of possession, and their
 * aggregate signatures over a round's AggregateVote digest.
 */
import { network } from "hardhat";
import { aggregateVoteDigest, ringDomain } from "../../node/src/core/eip712.js";
import { ZERO_ROOT } from "../../node/src/core/headsMerkle.js";
import {
  aggregateSignatures,
  blsCurve as bls12_381,
  blsKeyPair,
  g1Words,
  g2Words,
  nonSignerKeys,
  signDigest,
  signerBitmap,
  signProofOfPossession,
  type BlsKeyPair,
  type G1Words,
  type G2Words,
} from "../../node/src/core/bls.js";
import type { BaseContract, ContractRunner, ContractTransactionResponse } from "ethers";
import { memberWallets, type Connection, type Ethers } from "./fixtures.js";

type Tx = Promise<ContractTransactionResponse>;

/** test/contracts/solidity/BlsVotesHarness.sol (test contracts get no typechain types). */
export type BlsVotesHarness = Omit<BaseContract, "connect"> & {
  connect(runner: ContractRunner): BlsVotesHarness;
  enterAll(members: string[]): Tx;
  enter(member: string): Tx;
  exit(member: string): Tx;
  registerBlsKey(key: G1Words, proofOfPossession: G2Words): Tx;
  registerBlsKeyFor(member: string, key: G1Words, proofOfPossession: G2Words): Tx;
  flush(round: bigint, ringNodeHead: string, outputsHash: string, bitmap: bigint[], nonSignerKeys: G1Words[], signature: bigint[]): Tx;
  round(): Promise<bigint>;
  membershipEpoch(): Promise<bigint>;
  blsKeyCount(): Promise<bigint>;
  blsKeyHolder(index: bigint): Promise<string>;
  blsKeyOf(member: string): Promise<[boolean, bigint, [bigint, bigint, bigint, bigint]]>;
  aggregateBlsKey(): Promise<[bigint, bigint, bigint, bigint]>;
  hashToG2(message: Uint8Array, dst: Uint8Array): Promise<bigint[]>;
  headsLeaf(member: string, head: string): Promise<string>;
  verifyHead(proof: string[], root: string, member: string, head: string): Promise<boolean>;
};

export interface BlsMember { address: string; keys: BlsKeyPair }

export interface BlsRingUnderTest {
  connection: Connection;
  ethers: Ethers;
  harness: BlsVotesHarness;
  address: string;
  chainId: bigint;
  members: BlsMember[];
}

/** `count` members with deterministic BLS keys (addresses of unfunded wallets). */
export function blsMembers(count: number, seed = "bls-member"): BlsMember[] {
  return memberWallets(count, seed).map((wallet, i) => ({
    address: wallet.address,
    keys: blsKeyPair(new TextEncoder().encode(`${seed}-${i}`.padEnd(48, "#"))),
  }));
}

/** A harness with `count` members, each of whose key is registered (with its proof of possession) in order. */
export async function blsRing(count: number, connection?: Connection): Promise<BlsRingUnderTest> {
  const conn = connection ?? (await network.create());
  const { ethers } = conn;
  const harness = (await ethers.deployContract("BlsVotesHarness")) as unknown as BlsVotesHarness;
  const members = blsMembers(count);
  if (count > 0) await (await harness.enterAll(members.map((m) => m.address))).wait();
  for (const member of members) {
    await harness.registerBlsKeyFor(member.address, g1Words(member.keys.publicKey), g2Words(signProofOfPossession(member.keys, member.address)));
  }
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return { connection: conn, ethers, harness, address: await harness.getAddress(), chainId, members };
}

export interface RoundVote { round: bigint; ringNodeHead: string; outputsHash: string; membershipEpoch?: bigint; headsRoot?: string }

/** The digest members sign for `vote` in the domain of `ring` on `chainId` (defaults: the harness's). */
export async function roundDigest(context: BlsRingUnderTest, vote: RoundVote, domain?: { chainId?: bigint; ring?: string }): Promise<string> {
  const membershipEpoch = vote.membershipEpoch ?? (await context.harness.membershipEpoch());
  return aggregateVoteDigest(ringDomain(domain?.chainId ?? context.chainId, domain?.ring ?? context.address), {
    round: vote.round,
    membershipEpoch,
    ringNodeHead: vote.ringNodeHead,
    headsRoot: vote.headsRoot ?? ZERO_ROOT,
    outputsHash: vote.outputsHash,
  });
}

/**
 * The aggregate signature of the members at `indices` over `digest`, their bitmap over `size` keys,
 * and the keys of the others (`members` in key-index order) that the flush carries.
 */
export function aggregateVote(members: readonly BlsMember[], indices: readonly number[], digest: string, size = members.length) {
  const signature = aggregateSignatures(indices.map((i) => signDigest(members[i]!.keys.secretKey, digest)));
  return { signature: g2Words(signature), bitmap: signerBitmap(indices, size), nonSigners: absentKeys(members, indices) };
}

/** The keys of `members` (in key-index order) not at `indices`. */
export function absentKeys(members: readonly BlsMember[], indices: readonly number[]): G1Words[] {
  return nonSignerKeys(members.map((m) => m.keys.publicKey), indices);
}

export function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/** A point on the G1 curve outside the prime-order subgroup (the first x whose x^3 + 4 is a square). */
export function g1OutsideSubgroup() {
  const { Fp } = bls12_381.fields;
  for (let x = 1n; ; x++) {
    const rhs = Fp.add(Fp.mul(Fp.sqr(x), x), 4n);
    let y: bigint;
    try { y = Fp.sqrt(rhs); } catch { continue; }
    const point = bls12_381.G1.Point.fromAffine({ x, y });
    if (!point.isTorsionFree()) return g1Words(point);
  }
}

/** A point on the G2 twist outside the prime-order subgroup. */
export function g2OutsideSubgroup(): G2Words {
  const { Fp2 } = bls12_381.fields;
  const b = Fp2.fromBigTuple([4n, 4n]);
  for (let c0 = 1n; ; c0++) {
    const x = Fp2.fromBigTuple([c0, 0n]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    let y;
    try { y = Fp2.sqrt(rhs); } catch { continue; }
    const point = bls12_381.G2.Point.fromAffine({ x, y });
    if (!point.isTorsionFree()) return g2Words(point);
  }
}
