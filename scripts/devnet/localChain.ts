/**
 * A local chain for the main job and tests: `hardhat node` in its own process on 127.0.0.1,
 * ready when it answers `eth_chainId`, stopped with its whole process group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, Network } from "ethers";
import { own, stopGroup } from "../../test/node/helpers/processes.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const HARDHAT_BIN = path.join(REPO_ROOT, "node_modules", ".bin", "hardhat");

/** The accounts `hardhat node` funds: derived from this mnemonic (m/44'/60'/0'/0/i). */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

export class ChainStartError extends Error {
  override name = "ChainStartError";
}

export interface LocalChain {
  url: string;
  port: number;
  process: ChildProcess;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

/** True when nothing listens on 127.0.0.1:`port`. */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port the OS reports free on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts `hardhat node` on 127.0.0.1:`port` (automine) and waits until it answers. */
export async function startLocalChain(options: { port?: number; timeoutMs?: number; log?: (line: string) => void } = {}): Promise<LocalChain> {
  const port = options.port ?? (await freePort());
  if (!(await portIsFree(port))) throw new ChainStartError(`port ${port} on 127.0.0.1 is in use: stop what runs there or choose another port`);
  const child = own(
    spawn(HARDHAT_BIN, ["node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PATH: `${path.join(REPO_ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}` },
    }),
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    options.log?.(chunk.toString());
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  let provider: JsonRpcProvider | undefined;
  const stop = async () => {
    provider?.destroy();
    await stopGroup(child);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new ChainStartError(`hardhat node exited with ${child.exitCode}: ${output}`);
    try {
      const chainId = await rpcChainId(url);
      provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, pollingInterval: 100 });
      return { url, port, process: child, provider, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new ChainStartError(`hardhat node did not answer on ${url} in time: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** `eth_chainId` with a plain request, so an endpoint that is not up yet costs no provider retries. */
async function rpcChainId(url: string): Promise<bigint> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await response.json()) as { result?: string };
  if (typeof body.result !== "string") throw new ChainStartError(`unexpected eth_chainId answer from ${url}`);
  return BigInt(body.result);
}
