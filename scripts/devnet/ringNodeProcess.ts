/**
 * `ring-node` as the operator runs it: `init` and `start` in separate processes (each in its own
 * process group), driven through the node's control endpoint. Keys use a low scrypt cost.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { ControlClient } from "../../node/src/control/client.js";
import type { ControlInfo } from "../../node/src/control/server.js";
import { REPO_ROOT } from "./paths.js";
import { isRunning, killGroup, own, stopGroup, waitFor, WaitAbandonedError } from "./processes.js";

const run = promisify(execFile);

export const RING_NODE_BIN = join(REPO_ROOT, "node", "bin", "ring-node.js");
export const TEST_PASSWORD = "ring-node test password";

export function nodeEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // A scrypt cost of 2^10 keeps `init` fast; below 2^15 only with the test-only escape.
  return { ...process.env, RING_NODE_PASSWORD: TEST_PASSWORD, RING_NODE_SCRYPT_N: "1024", RING_NODE_TEST_ONLY_WEAK_SCRYPT: "1", FORCE_COLOR: "0", ...extra };
}

/** Runs a `ring-node` command to completion; returns stdout. */
export async function ringNodeCommand(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run(process.execPath, [RING_NODE_BIN, ...args], { env: nodeEnv(env), timeout: timeoutMs });
  return stdout;
}

/** `ring-node init --json` in `dataDir`; returns the new avatar's address and PeerId. */
export async function initRingNode(dataDir: string, privateKey?: string): Promise<{ address: string; peerId: string }> {
  const args = ["init", "--data-dir", dataDir, "--json"];
  const env: NodeJS.ProcessEnv = {};
  if (privateKey !== undefined) {
    args.push("--private-key-env", "RING_NODE_TEST_KEY");
    env.RING_NODE_TEST_KEY = privateKey;
  }
  return JSON.parse(await ringNodeCommand(args, env)) as { address: string; peerId: string };
}

export interface StartOptions {
  dataDir: string;
  rpcUrl: string;
  ring: string;
  peers?: string[];
  /** Extra flags for `ring-node start`. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
}

export class RingNodeProcess {
  /** Structured log lines (parsed pino JSON), newest last, bounded. */
  readonly logs: Array<Record<string, unknown>> = [];
  private output = "";
  private partial = "";
  private client: ControlClient | undefined;

  private constructor(
    readonly options: StartOptions,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => this.collect(chunk));
    child.stderr?.on("data", (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-8_000)));
  }

  /** The node's control endpoint (set once it answered). */
  get control(): ControlClient {
    if (this.client === undefined) throw new Error("ring-node has not started");
    return this.client;
  }

  get info(): ControlInfo {
    return this.control.info;
  }

  /** Spawns `ring-node start` and waits until its control endpoint answers. */
  static async start(options: StartOptions): Promise<RingNodeProcess> {
    const args = [RING_NODE_BIN, "start", "--data-dir", options.dataDir, "--rpc-url", options.rpcUrl, "--ring", options.ring, "--log-level", "info"];
    for (const peer of options.peers ?? []) args.push("--peer", peer);
    args.push(...(options.args ?? []));
    // RINGS_CPU_PROF_DIR: each node writes a V8 CPU profile there when it exits (SIGTERM), for latency work.
    const profile = process.env.RINGS_CPU_PROF_DIR === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${process.env.RINGS_CPU_PROF_DIR}`];
    // RINGS_HEAP_SNAPSHOT_DIR: each node writes a V8 heap snapshot there on SIGUSR2, for memory work.
    if (process.env.RINGS_HEAP_SNAPSHOT_DIR !== undefined) profile.push("--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${process.env.RINGS_HEAP_SNAPSHOT_DIR}`);
    const child = own(spawn(process.execPath, [...profile, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"], env: nodeEnv(options.env) }));
    const node = new RingNodeProcess(options, child);
    try {
      const info = await waitFor(
        "ring-node control endpoint",
        async () => {
          if (!isRunning(child)) throw new WaitAbandonedError(`ring-node exited (${String(child.exitCode ?? child.signalCode)}): ${node.output}`);
          const parsed = JSON.parse(await readFile(join(options.dataDir, "control.json"), "utf8")) as ControlInfo;
          return parsed.pid === child.pid ? parsed : undefined;
        },
        options.startTimeoutMs ?? 60_000,
        100,
      );
      node.client = new ControlClient(info);
      return node;
    } catch (error) {
      await killGroup(child);
      throw new Error(`${(error as Error).message}\n--- ring-node output ---\n${node.output}`, { cause: error });
    }
  }

  get address(): string {
    return this.info.address;
  }

  /** The node's first listen multiaddr (with /p2p/<PeerId>). */
  get multiaddr(): string {
    const first = this.info.multiaddrs[0];
    if (first === undefined) throw new Error("node has no listen address");
    return first;
  }

  /** kill -9 (the whole process group). */
  async kill(): Promise<void> {
    await killGroup(this.child, "SIGKILL");
  }

  /** SIGTERM and wait for a clean exit; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    await stopGroup(this.child, timeoutMs);
  }

  /** Collected stderr and non-JSON output (for failure messages). */
  get rawOutput(): string {
    return this.output;
  }

  /** Splits stdout into lines: pino JSON lines go to {@link logs}, anything else to {@link rawOutput}. */
  private collect(chunk: Buffer): void {
    this.partial += chunk.toString();
    const lines = this.partial.split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      try {
        this.logs.push(JSON.parse(line) as Record<string, unknown>);
        if (this.logs.length > 5_000) this.logs.shift();
      } catch {
        this.output = (this.output + line + "\n").slice(-8_000);
      }
    }
  }
}
