/**
 * Deploys the Rings contracts to a running local chain with the repository's Ignition module
 * (`deploy/modules/Rings.ts`) and returns the recorded addresses. A fresh `hardhat node` is a
 * new chain, so the previous local journal (chain 31337) is discarded first.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { DEPLOYMENTS_DIR, readRingsAddresses, type RingsAddresses } from "../../deploy/addresses.js";
import { REPO_ROOT } from "./paths.js";

const run = promisify(execFile);

export async function deployRings(rpcUrl: string, chainId: bigint): Promise<RingsAddresses> {
  if (chainId === 31337n) await rm(path.join(DEPLOYMENTS_DIR, "chain-31337"), { recursive: true, force: true });
  const hardhat = path.join(REPO_ROOT, "node_modules", ".bin", "hardhat");
  await run(hardhat, ["ignition", "deploy", "deploy/modules/Rings.ts", "--network", "localhost"], {
    cwd: REPO_ROOT,
    env: { ...process.env, RINGS_LOCALHOST_URL: rpcUrl, PATH: `${path.join(REPO_ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}` },
    maxBuffer: 16 * 1024 * 1024,
  });
  return readRingsAddresses(chainId);
}
