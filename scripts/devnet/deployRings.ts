/**
 * Deploys the Rings contracts to a running local chain with the repository's Ignition module
 * (`deploy/modules/Rings.ts`) and returns the recorded addresses. Ignition journals under a
 * deployment id of this run's own, so two local chains deploying at once (main jobs side by side,
 * parallel tests) never share a journal; the addresses are then written as the records of the
 * chain (`chain-<id>`, where `ring-node` looks) by an atomic rename, and the run's journal removed.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { DEPLOYMENTS_DIR, readRingsAddresses, type RingsAddresses } from "../../deploy/addresses.js";
import { REPO_ROOT } from "./paths.js";

const run = promisify(execFile);

export async function deployRings(rpcUrl: string, chainId: bigint): Promise<RingsAddresses> {
  const runId = `run-${process.pid}-${randomBytes(4).toString("hex")}`;
  const hardhat = path.join(REPO_ROOT, "node_modules", ".bin", "hardhat");
  try {
    await run(hardhat, ["ignition", "deploy", "deploy/modules/Rings.ts", "--network", "localhost", "--deployment-id", runId], {
      cwd: REPO_ROOT,
      env: { ...process.env, RINGS_LOCALHOST_URL: rpcUrl, PATH: `${path.join(REPO_ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}` },
      maxBuffer: 16 * 1024 * 1024,
    });
    const records = path.join(DEPLOYMENTS_DIR, `chain-${chainId.toString()}`);
    await mkdir(records, { recursive: true });
    const staged = path.join(records, `.${runId}.json`);
    await copyFile(path.join(DEPLOYMENTS_DIR, runId, "deployed_addresses.json"), staged);
    await rename(staged, path.join(records, "deployed_addresses.json"));
  } finally {
    await rm(path.join(DEPLOYMENTS_DIR, runId), { recursive: true, force: true });
  }
  return readRingsAddresses(chainId);
}
