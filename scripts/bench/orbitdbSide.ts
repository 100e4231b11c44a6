/**
 * OrbitDB 4, the peer the log and messages benchmarks compare with: it runs in its own process from
 * scripts/bench/orbitdb (on the Helia version it supports), installed there from the npm registry
 * on the first run.
 */
import { execFile } from "node:child_process";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const ORBITDB_DIR = fileURLToPath(new URL("./orbitdb/", import.meta.url));

export async function ensureOrbitdbInstalled(): Promise<void> {
  try {
    await access(join(ORBITDB_DIR, "node_modules", "@orbitdb", "core", "package.json"));
  } catch {
    process.stdout.write("installing OrbitDB 4 (scripts/bench/orbitdb, once)...\n");
    await run("npx", ["-y", "-p", "node@22.23.3", "npm", "ci", "--prefix", ORBITDB_DIR, "--no-audit", "--no-fund"], { cwd: ORBITDB_DIR, maxBuffer: 64 * 1024 * 1024 });
  }
}
