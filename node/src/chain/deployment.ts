/**
 * Where the Rings contracts live on a chain: what Hardhat Ignition recorded in
 * `<deployments>/chain-<id>/deployed_addresses.json` when `deploy/modules/Rings.ts` ran. The
 * repository's own records (`deploy/deployments`) are the default; an operator on another network
 * names its directory (`--deployments`) or the factory itself.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checksumAddress } from "../core/secp256k1.js";
import { DeploymentNotFoundError } from "./errors.js";

/** This repository's Ignition records: `deploy/deployments` beside the node package. */
export const DEFAULT_DEPLOYMENTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "deploy", "deployments");

/** The Ignition module id used as the prefix of every recorded contract ("Rings#RingFactory"). */
export const RINGS_MODULE_ID = "Rings";

export interface RingsAddresses {
  forwarder: string;
  ringImplementation: string;
  replicaRingImplementation: string;
  scope: string;
  gate: string;
  factory: string;
  /** The JobQueue (contracts/JobQueue.sol), absent from deployments made before it existed. */
  jobQueue?: string;
}

/** Ignition future ids of the module's contracts, by field of {@link RingsAddresses}. */
const FUTURE_IDS: Record<Exclude<keyof RingsAddresses, "jobQueue">, string> = {
  forwarder: "RingsForwarder",
  ringImplementation: "Ring",
  replicaRingImplementation: "ReplicaRing",
  scope: "Scope",
  gate: "Gate",
  factory: "RingFactory",
};

/** The file Ignition writes the addresses of chain `chainId` to. */
export function deployedAddressesFile(chainId: bigint | number, deploymentsDir = DEFAULT_DEPLOYMENTS_DIR): string {
  return path.join(deploymentsDir, `chain-${chainId.toString()}`, "deployed_addresses.json");
}

/** The recorded addresses of the Rings contracts on chain `chainId`, checksummed. */
export async function readRingsAddresses(chainId: bigint | number, deploymentsDir = DEFAULT_DEPLOYMENTS_DIR): Promise<RingsAddresses> {
  const file = deployedAddressesFile(chainId, deploymentsDir);
  let recorded: unknown;
  try {
    recorded = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new DeploymentNotFoundError(`no Rings deployment recorded for chain ${chainId.toString()} (${file}): ${(error as Error).message}`);
  }
  if (typeof recorded !== "object" || recorded === null) throw new DeploymentNotFoundError(`${file} does not hold a JSON object`);
  const entries = Object.entries(FUTURE_IDS).map(([field, futureId]) => {
    const address = (recorded as Record<string, unknown>)[`${RINGS_MODULE_ID}#${futureId}`];
    if (typeof address !== "string") throw new DeploymentNotFoundError(`${file} has no ${RINGS_MODULE_ID}#${futureId}: deploy with deploy/modules/Rings.ts`);
    try {
      return [field, checksumAddress(address)] as const;
    } catch {
      throw new DeploymentNotFoundError(`${file}: ${RINGS_MODULE_ID}#${futureId} is not an address (${address})`);
    }
  });
  const addresses = Object.fromEntries(entries) as unknown as RingsAddresses;
  const jobQueue = (recorded as Record<string, unknown>)[`${RINGS_MODULE_ID}#JobQueue`];
  if (typeof jobQueue === "string") addresses.jobQueue = checksumAddress(jobQueue);
  return addresses;
}
