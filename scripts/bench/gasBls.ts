/**
 * bench:gas, BLS side: gas of BlsRing.flushAggregate with k signers (a BLS ring of k members who
 * registered their keys, the relayer carrying one aggregate signature and a signer bitmap), in the
 * steady state (the second flush of the ring, as the ECDSA rows), and with exactly the 2/3 quorum
 * signing (the most non-signers' keys a passing flush subtracts, carried in calldata).
 */
import { Wallet, type ContractTransactionReceipt, type Signer } from "ethers";
import type { network } from "hardhat";
import { aggregateSignatures, blsKeyPair, g1Words, g2Words, nonSignerKeys, signDigest, signerBitmap, signProofOfPossession } from "../../node/src/core/bls.js";
import { aggregateVoteDigest, outputsHash, ringDomain, type Outputs } from "../../node/src/core/eip712.js";
import type { Gate, RingFactory } from "../../types/index.js";

type Ethers = Awaited<ReturnType<typeof network.create>>["ethers"];

export interface BlsRow {
  scheme: "bls";
  signers: number;
  /** Steady-state flushAggregate with every member signing. */
  flushGas: number;
  /** The ring's first flushAggregate (its ring-log slots still zero). */
  firstFlushGas: number;
  /** flushAggregate with exactly ceil(2k / 3) signers: the non-signers' keys are subtracted. */
  quorumFlushGas: number;
}

export interface BlsBenchContext {
  ethers: Ethers;
  factory: RingFactory;
  gate: Gate;
  deployer: Signer;
  relayer: Signer;
  chainId: bigint;
}

/** Targets of issue 15. */
export const BLS_TARGETS = { flushAt256Max: 250_000, flush256OverFlush4Max: 1.5, blsOverEcdsaAt4Max: 2 };

export async function measureBlsRing(context: BlsBenchContext, k: number): Promise<BlsRow> {
  const { ethers, factory, gate, deployer, relayer, chainId } = context;
  const members = Array.from({ length: k }, (_, i) => {
    const label = `bls-bench-${k}-${i}`;
    const wallet = new Wallet(`0x${Buffer.from(label.padEnd(32, "#")).subarray(0, 32).toString("hex")}`, ethers.provider);
    return { wallet, keys: blsKeyPair(new TextEncoder().encode(label.padEnd(48, "#"))) };
  });
  const receipt = await (await factory.createBlsRing(members.map((m) => m.wallet.address), await deployer.getAddress())).wait();
  const ring = await ethers.getContractAt("BlsRing", ringAddressOf(receipt, factory));
  const ringAddress = await ring.getAddress();
  await (await gate.setAuthorized(ringAddress, true)).wait();
  const registrations = [];
  for (const { wallet, keys } of members) {
    await ethers.provider.send("hardhat_setBalance", [wallet.address, "0x56BC75E2D63100000"]);
    registrations.push(await ring.connect(wallet).registerBlsKey(g1Words(keys.publicKey), g2Words(signProofOfPossession(keys, wallet.address))));
  }
  await Promise.all(registrations.map((tx) => tx.wait()));
  const membershipEpoch = await ring.membershipEpoch();
  const domain = ringDomain(chainId, ringAddress);

  const flushOnce = async (round: bigint, signers: number) => {
    const ringNodeHead = ethers.hexlify(ethers.randomBytes(32));
    const outputs: Outputs = { gate: await gate.getAddress(), pins: [1n], cids: [ethers.hexlify(ethers.randomBytes(32))] };
    const headsRoot = ethers.hexlify(ethers.randomBytes(32));
    const digest = aggregateVoteDigest(domain, { round, membershipEpoch, ringNodeHead, headsRoot, outputsHash: outputsHash(outputs) });
    const indices = Array.from({ length: signers }, (_, i) => i);
    const signature = aggregateSignatures(indices.map((i) => signDigest(members[i]!.keys.secretKey, digest)));
    const absent = nonSignerKeys(members.map((m) => m.keys.publicKey), indices);
    const tx = await ring.connect(relayer).flushAggregate(round, ringNodeHead, headsRoot, outputs, { signerBitmap: signerBitmap(indices, k), nonSignerKeys: absent, signature: g2Words(signature) }, []);
    return Number((await tx.wait())?.gasUsed);
  };
  const firstFlushGas = await flushOnce(1n, k);
  const flushGas = await flushOnce(2n, k);
  const quorumFlushGas = await flushOnce(3n, Math.ceil((2 * k) / 3));
  return { scheme: "bls", signers: k, flushGas, firstFlushGas, quorumFlushGas };
}

/** The three targets, from the BLS rows and the ECDSA flush at 4 signers. */
export function blsTargets(rows: readonly BlsRow[], ecdsaFlushAt4: number | undefined) {
  const at = (k: number) => rows.find((row) => row.signers === k)?.flushGas;
  const at4 = at(4);
  const at256 = at(256);
  const check = (value: number | undefined, max: number) => ({ value, max, met: value !== undefined && value <= max });
  return {
    flushAt256: check(at256, BLS_TARGETS.flushAt256Max),
    flush256OverFlush4: check(at4 && at256 ? Math.round((at256 / at4) * 1000) / 1000 : undefined, BLS_TARGETS.flush256OverFlush4Max),
    blsOverEcdsaAt4: check(at4 && ecdsaFlushAt4 ? Math.round((at4 / ecdsaFlushAt4) * 1000) / 1000 : undefined, BLS_TARGETS.blsOverEcdsaAt4Max),
  };
}

export function printBlsTable(rows: readonly BlsRow[], ecdsaFlush: ReadonlyMap<number, number>, targets: ReturnType<typeof blsTargets>): void {
  const n = (value: number | undefined) => (value === undefined ? "" : value.toLocaleString("en-US"));
  const lines = [
    "",
    "| signers | BLS flush gas | ECDSA flush gas | BLS at 2/3 quorum | BLS first flush |",
    "|--:|--:|--:|--:|--:|",
    ...rows.map((row) => `| ${row.signers} | ${n(row.flushGas)} | ${n(ecdsaFlush.get(row.signers))} | ${n(row.quorumFlushGas)} | ${n(row.firstFlushGas)} |`),
    "",
    ...Object.entries(targets).map(([name, t]) => `${name} = ${t.value ?? "?"} (target <= ${t.max}: ${t.met ? "met" : "MISSED"})`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

function ringAddressOf(receipt: ContractTransactionReceipt | null, factory: RingFactory): string {
  for (const log of receipt?.logs ?? []) {
    const parsed = factory.interface.parseLog(log);
    if (parsed?.name === "RingCreated") return parsed.args.ring as string;
  }
  throw new Error("RingCreated not emitted");
}
