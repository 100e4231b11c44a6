/**
 * What the chain commands (`ring create`, `ring info`) share: the chain's URL (flag, then
 * RING_NODE_RPC_URL, then the data directory's config.json, as `start` reads it), the RingFactory
 * (flag, else the deploy records of the chain), address arguments, and the avatar key as signer.
 */
import { Option, type Command } from "commander";
import { resolve } from "node:path";
import { Wallet, hexlify, type JsonRpcProvider } from "ethers";
import { connectProvider, DEFAULT_DEPLOYMENTS_DIR, DeploymentNotFoundError, readRingsAddresses, ringFactoryInterface, type ConnectedProvider } from "../chain/index.js";
import { defaultDataDir, readConfigFile } from "../config/config.js";
import { checksumAddress } from "../core/secp256k1.js";
import { loadKeystore } from "../identity/keystore.js";
import { resolvePassword } from "../identity/password.js";
import { UsageError } from "./errors.js";

export interface ChainFlags {
  dataDir?: string;
  rpcUrl?: string;
  factory?: string;
  deployments?: string;
  json?: boolean;
}

/** The flags every chain command takes. */
export function addChainOptions(command: Command): Command {
  return command
    .addOption(new Option("-d, --data-dir <dir>", "data directory: the avatar key and config.json (default ~/.ring-node)").env("RING_NODE_DATA_DIR"))
    .addOption(new Option("--rpc-url <url>", "JSON-RPC URL of the chain (default: config.json's rpcUrl)").env("RING_NODE_RPC_URL"))
    .addOption(new Option("--factory <address>", "the RingFactory (default: the deploy records' for the chain)").env("RING_NODE_FACTORY"))
    .addOption(new Option("--deployments <dir>", "Hardhat Ignition deployment records (default: this repository's deploy/deployments)").env("RING_NODE_DEPLOYMENTS"))
    .option("--json", "print the result as JSON");
}

/** `text` as a checksummed address, or a UsageError naming `what`. */
export function addressArgument(text: string, what: string): string {
  try {
    return checksumAddress(text.trim());
  } catch {
    throw new UsageError(`${what}: ${JSON.stringify(text)} is not an address`);
  }
}

export function dataDirOf(flags: ChainFlags): string {
  return resolve(flags.dataDir ?? defaultDataDir());
}

/** The chain named by the flags, the environment or config.json, connected and checked. */
export async function chainOf(flags: ChainFlags): Promise<ConnectedProvider> {
  const rpcUrl = flags.rpcUrl ?? (await readConfigFile(dataDirOf(flags))).rpcUrl;
  if (rpcUrl === undefined || rpcUrl === "") throw new UsageError("no chain: give --rpc-url (or RING_NODE_RPC_URL, or rpcUrl in config.json)");
  return connectProvider(rpcUrl, { pollMs: 250 });
}

/**
 * The RingFactory: `--factory`, else the deploy records of `chainId` — which must name a contract
 * on the chain (a DeploymentNotFoundError otherwise: no records, or records of an earlier dev
 * chain whose addresses now hold nothing).
 */
export async function factoryOf(flags: ChainFlags, chainId: bigint, provider: Pick<JsonRpcProvider, "call">): Promise<string> {
  if (flags.factory !== undefined) return addressArgument(flags.factory, "--factory");
  const dir = resolve(flags.deployments ?? DEFAULT_DEPLOYMENTS_DIR);
  const { factory, ringImplementation } = await readRingsAddresses(chainId, dir);
  // A dev chain restarted from scratch reuses the same addresses for other contracts: ask the factory which Ring it clones.
  let answered: string | null = null;
  try {
    const data = ringFactoryInterface.encodeFunctionData("ringImplementation");
    answered = String(ringFactoryInterface.decodeFunctionResult("ringImplementation", await provider.call({ to: factory, data }))[0]);
  } catch {
    // no such contract there, or another one
  }
  if (answered?.toLowerCase() !== ringImplementation.toLowerCase()) throw new DeploymentNotFoundError(`the deploy records in ${dir} name ${factory} as the RingFactory of chain ${chainId.toString()}, but that is not the recorded deployment's factory (records of an earlier dev chain?): give --factory or redeploy`);
  return factory;
}

/** The avatar key of the data directory as a signer on `provider` (password as `start` reads it). */
export async function avatarSigner(flags: ChainFlags, provider: JsonRpcProvider): Promise<Wallet> {
  const identity = await loadKeystore(dataDirOf(flags), await resolvePassword());
  return new Wallet(hexlify(identity.privateKey), provider);
}
