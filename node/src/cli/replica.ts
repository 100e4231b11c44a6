/**
 * `ring-node replica register` and `replica status`: ReplicateRing from the command line. A member
 * signs the registration of its ring with a replica ring (the fee shown first, paid from its
 * account only with `--yes`), and a replica node relays it and keeps the ring's replica key, whose
 * commitment goes on chain with the registration. `replica create` makes a replica ring (its Ring
 * and its ReplicaRing) through the same RingFactory as `ring create`.
 */
import type { Command } from "commander";
import { Contract, formatEther, parseEther, type Wallet } from "ethers";
import { join } from "node:path";
import { ReplicaRingReads, replicaRingInterface, RingFactoryWriter, RingReads, waitForReceipt } from "../chain/index.js";
import { buildReplicateRing, nextForwarderNonce, readForwarderInfo } from "../client/requests.js";
import { RingsRpcClient } from "../client/ringsRpcClient.js";
import { readConfigFile } from "../config/config.js";
import { ensureRingKeys, readRingKeys, RING_KEYS_FILE } from "../replica/ringKeyFile.js";
import { replicaKeyCommitment } from "../replica/ringKeys.js";
import { addChainOptions, addressArgument, avatarSigner, chainOf, dataDirOf, factoryOf, type ChainFlags } from "./chainAccess.js";
import { UsageError } from "./errors.js";
import { parseMembers, printResult } from "./ring.js";

interface ReplicaFlags extends ChainFlags {
  ring?: string;
  keys?: string;
}

/** The ring registered: `--ring`, else the data directory's configured ring. */
async function ringOf(flags: ReplicaFlags): Promise<string> {
  const ring = flags.ring ?? (await readConfigFile(dataDirOf(flags))).ring;
  if (ring === undefined) throw new UsageError("no ring: give --ring (or ring in config.json)");
  return addressArgument(ring, "--ring");
}

const keysFileOf = (flags: ReplicaFlags) => flags.keys ?? join(dataDirOf(flags), RING_KEYS_FILE);

const withRingOptions = (command: Command) =>
  addChainOptions(command)
    .option("--ring <address>", "the ring to register (default: the data directory's ring)")
    .option("--keys <file>", `the ring's read and replica keys (default <dataDir>/${RING_KEYS_FILE}, made if absent)`);

/** `--fee` in ETH as wei. */
function feeArgument(text: string): bigint {
  try {
    const fee = parseEther(text);
    if (fee >= 0n) return fee;
  } catch {
    // reported below
  }
  throw new UsageError(`--fee: ${JSON.stringify(text)} is not an amount of ETH (e.g. 0.01)`);
}

/** `--period` in seconds, positive. */
function periodArgument(text: string): bigint {
  if (!/^[1-9]\d*$/.test(text.trim())) throw new UsageError(`--period: ${JSON.stringify(text)} is not a positive number of seconds`);
  return BigInt(text.trim());
}

/** `ReplicaRing.deposit(signer)` of `amount` from the signer's account; the transaction hash once mined. */
async function depositFrom(signer: Wallet, replicaRing: string, amount: bigint): Promise<string> {
  const sent = await new Contract(replicaRing, replicaRingInterface, signer).getFunction("deposit").send(signer.address, { value: amount });
  const receipt = await waitForReceipt(signer.provider as NonNullable<Wallet["provider"]>, sent.hash);
  if (receipt.status !== 1) throw new UsageError(`the deposit reverted in ${sent.hash}`);
  return sent.hash;
}

/** A registration's paid period: `expiresAt` (unix seconds, null if never registered) and whether the chain's time passed it. */
interface RegistrationPeriod {
  expiresAt: number | null;
  expired: boolean;
}

function registrationPeriod(expiresAt: number, chainTime: number): RegistrationPeriod {
  return expiresAt === 0 ? { expiresAt: null, expired: false } : { expiresAt, expired: chainTime >= expiresAt };
}

function periodText({ expiresAt, expired }: RegistrationPeriod): string {
  if (expiresAt === null) return "";
  return `; ${expired ? "expired" : "paid until"} ${new Date(expiresAt * 1000).toISOString()}${expired ? " (renew to be replicated again)" : ""}`;
}

export function replicaCommand(program: Command): void {
  const replica = program.command("replica").description("register the ring with a replica ring (ReplicateRing) and see where it stands");
  addChainOptions(replica.command("create"))
    .description("create a replica ring of --members (replica nodes) through the RingFactory, sent from this node's avatar account: its Ring and its ReplicaRing")
    .requiredOption("--members <address...>", "the replica nodes' avatar addresses (repeatable, or comma-separated)")
    .requiredOption("--fee <eth>", "what one registration period costs a client ring, in ETH")
    .option("--period <seconds>", "seconds of retention one fee pays for (default: the factory's 30 days)")
    .option("--owner <address>", "the replica ring's owner, who withdraws the fees (default: this node's address)")
    .action(async (flags: ChainFlags & { members: string[]; fee: string; period?: string; owner?: string }) => {
      const members = parseMembers(flags.members);
      const fee = feeArgument(flags.fee);
      const period = flags.period === undefined ? undefined : periodArgument(flags.period);
      const owner = flags.owner === undefined ? undefined : addressArgument(flags.owner, "--owner");
      const { provider, chainId } = await chainOf(flags);
      try {
        const factory = await factoryOf(flags, chainId, provider);
        const signer = await avatarSigner(flags, provider);
        const created = await new RingFactoryWriter(factory, signer).createReplicaRing(members, owner ?? signer.address, fee, period);
        const text = [
          `replica ring  ${created.replicaRing} (fee ${formatEther(created.fee)} ETH per ${created.period.toString()} s)`,
          `its ring      ${created.ring} (members ${members.join(" ")})`,
          `tx            ${created.transactionHash} (block ${created.blockNumber}, gas ${created.gasUsed})`,
          "",
          `each replica node starts with: ring-node start --ring ${created.ring} --replica-ring ${created.replicaRing}`,
          "",
        ].join("\n");
        printResult(flags.json, { ...created, members, chainId: chainId.toString(), factory }, text);
      } finally {
        provider.destroy();
      }
    });
  withRingOptions(replica.command("register").argument("<replica-ring>", "the ReplicaRing contract"))
    .requiredOption("--via <url>", "JSON-RPC URL of one of the replica ring's nodes (it relays the registration)")
    .option("--yes", "pay the fee from this node's account if its credit does not cover it")
    .action(async (address: string, flags: ReplicaFlags & { via: string; yes?: boolean }) => {
      const replicaRing = addressArgument(address, "<replica-ring>");
      const ring = await ringOf(flags);
      const { provider } = await chainOf(flags);
      try {
        const signer = await avatarSigner(flags, provider);
        const reads = new ReplicaRingReads(replicaRing, provider);
        const [fee, credit, registered] = await Promise.all([reads.fee(), reads.creditOf(signer.address), reads.isRegistered(ring)]);
        if (registered) throw new UsageError(`ring ${ring} is registered with ${replicaRing} already`);
        process.stderr.write(`fee ${formatEther(fee)} ETH; credit of ${signer.address}: ${formatEther(credit)} ETH\n`);
        if (credit < fee) {
          if (flags.yes !== true) throw new UsageError(`the credit does not cover the fee of ${formatEther(fee)} ETH: run again with --yes to deposit ${formatEther(fee - credit)} ETH from ${signer.address}`);
          const deposit = await depositFrom(signer, replicaRing, fee - credit);
          process.stderr.write(`deposited ${formatEther(fee - credit)} ETH (tx ${deposit})\n`);
        }
        const { keys, created } = await ensureRingKeys(keysFileOf(flags));
        if (created) process.stderr.write(`made the ring's keys in ${keysFileOf(flags)}: share them with the ring's members\n`);
        const ringInfo = new RingReads(ring, provider);
        const forwarder = await readForwarderInfo(provider, await ringInfo.trustedForwarder());
        const nonce = await nextForwarderNonce(provider, forwarder.address, signer.address);
        const request = await buildReplicateRing({ signer, ring, replicaRing, replicaKey: keys.replicaKey, forwarder, nonce });
        const result = await new RingsRpcClient(flags.via).replicateRing(request);
        printResult(flags.json, { fee, ...result }, `ring ${ring} registered with ${replicaRing}: tx ${String(result.tx)}\n`);
      } finally {
        provider.destroy();
      }
    });
  withRingOptions(replica.command("status").argument("<replica-ring>", "the ReplicaRing contract"))
    .description("whether the ring is registered with the replica ring, until when it is paid (and whether that passed), its fee, and whether the committed key is the one held here")
    .action(async (address: string, flags: ReplicaFlags) => {
      const replicaRing = addressArgument(address, "<replica-ring>");
      const ring = await ringOf(flags);
      const { provider } = await chainOf(flags);
      try {
        const reads = new ReplicaRingReads(replicaRing, provider);
        const [fee, registered, commitment, servedBy, paidUntil, latest] = await Promise.all([
          reads.fee(),
          reads.isRegistered(ring),
          reads.replicaKeyCommitmentOf(ring),
          reads.ring(),
          reads.expiresAt(ring),
          provider.getBlock("latest"),
        ]);
        const keys = await readRingKeys(keysFileOf(flags));
        const keyHeld = keys === null ? null : replicaKeyCommitment(keys.replicaKey) === commitment;
        const registration = registrationPeriod(paidUntil, latest?.timestamp ?? Math.floor(Date.now() / 1000));
        const status = { ring, replicaRing, servedBy, fee, registered, ...registration, commitment, keyHeld };
        const key = keyHeld === null ? "no ring keys here" : keyHeld ? "the committed key is the one held here" : "the committed key is NOT the one held here";
        printResult(flags.json, status, `ring ${ring} ${registered ? "is" : "is not"} registered with ${replicaRing} (served by ring ${servedBy}, fee ${formatEther(fee)} ETH)${periodText(registration)}${registered ? `; ${key}` : ""}\n`);
      } finally {
        provider.destroy();
      }
    });
}
