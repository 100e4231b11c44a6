/**
 * A real chain for node tests and benchmarks: `hardhat node` on a free 127.0.0.1 port in its own
 * process group (killed on stop), reached over JSON-RPC like any EVM endpoint.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { freePort } from "./ports.js";
import { isRunning, killGroup } from "./processes.js";

const require = createRequire(import.meta.url);

/** The first funded accounts of `hardhat node` (its public, well-known test keys). */
export const HARDHAT_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
] as const;

export interface HardhatNode {
  url: string;
  provider: JsonRpcProvider;
  /** Funded account `index` (0..3) with a nonce manager, connected to the provider. */
  account(index: number): NonceManager;
  stop(): Promise<void>;
}

export class HardhatNodeStartError extends Error {
  override name = "HardhatNodeStartError";
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

export async function startHardhatNode(options: { startTimeoutMs?: number } = {}): Promise<HardhatNode> {
  // hardhat's bin (dist/src/cli.js) sits next to its main entry (dist/src/index.js).
  const cli = join(dirname(require.resolve("hardhat")), "cli.js");
  let lastOutput = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let output = "";
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    let up = false;
    while (Date.now() < deadline && isRunning(child)) {
      if (await answers(url)) {
        up = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (up) {
      const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
      const accounts = new Map<number, NonceManager>();
      return {
        url,
        provider,
        account(index) {
          let account = accounts.get(index);
          if (account === undefined) {
            account = new NonceManager(new Wallet(HARDHAT_KEYS[index] ?? HARDHAT_KEYS[0], provider));
            accounts.set(index, account);
          }
          return account;
        },
        async stop() {
          provider.destroy();
          await killGroup(child);
        },
      };
    }
    lastOutput = output;
    await killGroup(child);
  }
  throw new HardhatNodeStartError(`hardhat node did not start: ${lastOutput}`);
}
