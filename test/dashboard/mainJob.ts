/**
 * The main job (`npm start`, no --once) as the browser tests run it, its printed lines parsed, and
 * headless Chromium (Debian's, driven by playwright-core) to look at its dashboard.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { REPO_ROOT } from "../../scripts/devnet/paths.js";
import { freePort } from "../../scripts/devnet/ports.js";
import { own, stopGroup, waitFor } from "../../scripts/devnet/processes.js";

export const CHROMIUM = "/usr/bin/chromium";

/** A node line of the main job: `  member-0   0xAddress  12D3Koo…  pid 1234`. */
export interface PrintedNode {
  name: string;
  address: string;
  peerId: string;
  pid: number;
}

/** The main job as users run it (`npm start`, no --once), its stdout collected line by line. */
export class MainJob {
  readonly lines: string[] = [];
  /** The last of what it wrote to stderr (why it exited, when it does). */
  private stderrTail = "";
  private constructor(readonly child: ChildProcess) {
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const text = partial + chunk.toString("utf8");
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      this.lines.push(...parts);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-4_000);
    });
  }

  static async start(dataDir: string): Promise<MainJob> {
    const tsx = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
    const args = ["scripts/main.ts", "--port", String(await freePort()), "--dashboard-port", String(await freePort()), "--data-dir", dataDir];
    return new MainJob(own(spawn(tsx, args, { cwd: REPO_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] })));
  }

  /** The first match of `pattern` in the output, waiting up to `timeoutMs` for it. */
  async match(pattern: RegExp, timeoutMs = 300_000): Promise<RegExpMatchArray> {
    return waitFor(
      `the main job to print ${String(pattern)}`,
      () => {
        if (this.child.exitCode !== null) throw new Error(`the main job exited (${this.child.exitCode}):\n${this.lines.slice(-20).join("\n")}\nstderr:\n${this.stderrTail}`);
        for (const line of this.lines) {
          const found = line.match(pattern);
          if (found !== null) return found;
        }
        return undefined;
      },
      timeoutMs,
      200,
    );
  }

  nodes(): PrintedNode[] {
    return this.lines.flatMap((line) => {
      const found = line.match(/^\s+((?:member|replica)-\d+)\s+(0x[0-9a-fA-F]{40})\s+(\S+)\s+pid (\d+)$/);
      return found === null ? [] : [{ name: found[1] as string, address: found[2] as string, peerId: found[3] as string, pid: Number(found[4]) }];
    });
  }
}

/** Chromium headless with what it needs in a container and nothing it would reach the network for. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Stops the main job, then whatever of its nodes it could not stop (by the pids it printed), and removes its data. */
export async function stopMainJob(job: MainJob | undefined, nodes: readonly PrintedNode[] | undefined, dataDir: string | undefined): Promise<void> {
  if (job !== undefined) await stopGroup(job.child, 20_000);
  for (const node of nodes ?? []) {
    try {
      process.kill(-node.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
}
