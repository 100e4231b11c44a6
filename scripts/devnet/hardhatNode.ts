/**
 * The devnet's chain, for the main job, the tests and the benchmarks: `hardhat node` (automine) on
 * 127.0.0.1 in its own process group, ready when it answers `eth_chainId`, reached over JSON-RPC
 * like any EVM endpoint, stopped with its whole process group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Network, NonceManager } from "ethers";
import { REPO_ROOT } from "./paths.js";
import { freePort, portIsFree } from "./ports.js";
import { isRunning, own, stopGroup } from "./processes.js";

const require = createRequire(import.meta.url);

/** The accounts `hardhat node` funds: derived from this mnemonic (m/44'/60'/0'/0/i). */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** Funded account `index` (0..19) of `hardhat node`, not connected. */
export function hardhatAccount(index: number): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`);
}

export class HardhatNodeStartError extends Error {
  override name = "HardhatNodeStartError";
}

export interface HardhatNode {
  url: string;
  port: number;
  process: ChildProcess;
  provider: JsonRpcProvider;
  /** Funded account `index` with a nonce manager, connected to the provider (one per index). */
  account(index: number): NonceManager;
  stop(): Promise<void>;
}

export interface HardhatNodeOptions {
  /** A fixed port (the main job's `--port`); by default a free one, retried if taken meanwhile. */
  port?: number;
  startTimeoutMs?: number;
  /** Receives the node's output as it comes. */
  log?: (chunk: string) => void;
}

/** Starts `hardhat node` and waits until it answers. */
export async function startHardhatNode(options: HardhatNodeOptions = {}): Promise<HardhatNode> {
  if (options.port !== undefined && !(await portIsFree(options.port))) {
    throw new HardhatNodeStartError(`port ${options.port} on 127.0.0.1 is in use: stop what runs there or choose another port`);
  }
  let failure = "";
  for (let attempt = 0; attempt < (options.port === undefined ? 3 : 1); attempt++) {
    const started = await startOnce(options.port ?? (await freePort()), options);
    if (typeof started !== "string") return started;
    failure = started;
  }
  throw new HardhatNodeStartError(`hardhat node did not start: ${failure}`);
}

/** One start on `port`: the running node, or why it did not come up (its output). */
async function startOnce(port: number, options: HardhatNodeOptions): Promise<HardhatNode | string> {
  // hardhat's bin (dist/src/cli.js) sits next to its main entry (dist/src/index.js).
  const cli = join(dirname(require.resolve("hardhat")), "cli.js");
  const child = own(
    spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    }),
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
    options.log?.(chunk.toString());
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline && isRunning(child)) {
    const chainId = await chainIdAt(url);
    if (chainId !== undefined) return running(url, port, child, chainId);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const failure = isRunning(child) ? `no answer on ${url} in time: ${output}` : `exited with ${String(child.exitCode ?? child.signalCode)}: ${output}`;
  await stopGroup(child);
  return failure;
}

function running(url: string, port: number, child: ChildProcess, chainId: bigint): HardhatNode {
  const provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  const accounts = new Map<number, NonceManager>();
  return {
    url,
    port,
    process: child,
    provider,
    account(index) {
      let account = accounts.get(index);
      if (account === undefined) {
        account = new NonceManager(hardhatAccount(index).connect(provider));
        accounts.set(index, account);
      }
      return account;
    },
    async stop() {
      provider.destroy();
      await stopGroup(child);
    },
  };
}

/** `eth_chainId` with a plain request, so an endpoint that is not up yet costs no provider retries. */
async function chainIdAt(url: string): Promise<bigint | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { result?: unknown };
    return typeof body.result === "string" ? BigInt(body.result) : undefined;
  } catch {
    return undefined;
  }
}
