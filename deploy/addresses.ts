/**
 * Where the Rings contracts live on a chain: reads what Hardhat Ignition recorded in
 * `deploy/deployments/chain-<id>/deployed_addresses.json` when `deploy/modules/Rings.ts` ran.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The deployment directory of this repository (`deploy/deployments`). */
export const DEPLOYMENTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "deployments");

/** The Ignition module id used as the prefix of every recorded contract ("Rings#RingFactory"). */
export const RINGS_MODULE_ID = "Rings";

export interface RingsAddresses {
  forwarder: string;
  ringImplementation: string;
  replicaRingImplementation: string;
  scope: string;
  gate: string;
  factory: string;
}

/** Ignition future ids of the module's contracts, by field of {@link RingsAddresses}. */
const FUTURE_IDS: Record<keyof RingsAddresses, string> = {
  forwarder: "RingsForwarder",
  ringImplementation: "Ring",
  replicaRingImplementation: "ReplicaRing",
  scope: "Scope",
  gate: "Gate",
  factory: "RingFactory",
};

export class DeploymentNotFoundError extends Error {
  override name = "DeploymentNotFoundError";
}

/** The file Ignition writes the addresses of chain `chainId` to. */
export function deployedAddressesFile(chainId: bigint | number, deploymentsDir = DEPLOYMENTS_DIR): string {
  return path.join(deploymentsDir, `chain-${chainId.toString()}`, "deployed_addresses.json");
}

/** The recorded addresses of the Rings contracts on chain `chainId`. */
export async function readRingsAddresses(chainId: bigint | number, deploymentsDir = DEPLOYMENTS_DIR): Promise<RingsAddresses> {
  const file = deployedAddressesFile(chainId, deploymentsDir);
  let recorded: Record<string, string>;
  try {
    recorded = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  } catch (error) {
    throw new DeploymentNotFoundError(`no Rings deployment recorded for chain ${chainId.toString()} (${file}): ${(error as Error).message}`);
  }
  const entries = Object.entries(FUTURE_IDS).map(([field, futureId]) => {
    const address = recorded[`${RINGS_MODULE_ID}#${futureId}`];
    if (address === undefined) {
      throw new DeploymentNotFoundError(`${file} has no ${RINGS_MODULE_ID}#${futureId}: deploy with deploy/modules/Rings.ts`);
    }
    return [field, address] as const;
  });
  return Object.fromEntries(entries) as unknown as RingsAddresses;
}
