/**
 * A real chain for node tests and benchmarks: `hardhat node` spawned on a free 127.0.0.1 port (its
 * own process group, killed on stop), reached over JSON-RPC like any EVM endpoint.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";

const require = createRequire(import.meta.url);

/** The default funded accounts of `hardhat node` (public test keys). */
export const HARDHAT_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
] as const;

export interface HardhatNode {
  url: string;
  provider: JsonRpcProvider;
  /** Funded account i (0..3), connected to the provider. */
  account(index: number): Wallet;
  stop(): Promise<void>;
}

export class HardhatNodeStartError extends Error {
  override name = "HardhatNodeStartError";
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }),
      signal: AbortSignal.timeout(1_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    child.once("exit", () => resolve());
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      resolve();
    }
  });
}

export async function startHardhatNode(options: { startTimeoutMs?: number } = {}): Promise<HardhatNode> {
  // The package's `bin` (not exported as a subpath): next to its main entry point.
  const cli = join(dirname(require.resolve("hardhat")), "cli.js");
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
    child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    while (Date.now() < deadline && child.exitCode === null && !(await answers(url))) await new Promise((resolve) => setTimeout(resolve, 200));
    if (child.exitCode === null && (await answers(url))) {
      const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
      return {
        url,
        provider,
        account: (index) => new Wallet(HARDHAT_KEYS[index] ?? HARDHAT_KEYS[0], provider),
        stop: async () => {
          provider.destroy();
          await kill(child);
        },
      };
    }
    await kill(child);
    if (attempt === 2) throw new HardhatNodeStartError(`hardhat node did not start on ${url}: ${output}`);
  }
  throw new HardhatNodeStartError("unreachable");
}
