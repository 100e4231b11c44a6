/**
 * The README's walkthrough as the test runs it: its marked shell block split into numbered steps
 * (`# 1. …` comments), and one bash session that runs them in order, so shell variables and
 * background nodes carry from step to step as in a user's terminal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { own } from "../../../scripts/devnet/processes.js";

/** Sends `signal` to process group `group`; false once the group is gone. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

export const WALKTHROUGH_MARKER = "<!-- walkthrough -->";

export interface WalkthroughStep {
  number: number;
  /** The step's first comment line, without `# N. `. */
  title: string;
  script: string;
}

/** The shell block right after the marker, split at its `# N.` lines (numbered 1, 2, … in order). */
export function walkthroughSteps(markdown: string): WalkthroughStep[] {
  const at = markdown.indexOf(WALKTHROUGH_MARKER);
  if (at < 0) throw new Error(`README has no ${WALKTHROUGH_MARKER}`);
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(markdown.slice(at));
  if (block === null) throw new Error(`no sh block after ${WALKTHROUGH_MARKER}`);
  const steps: WalkthroughStep[] = [];
  for (const line of (block[1] as string).split("\n")) {
    const heading = /^# (\d+)\. (.*)$/.exec(line);
    if (heading !== null) {
      const number = Number(heading[1]);
      if (number !== steps.length + 1) throw new Error(`walkthrough step ${number} follows step ${steps.length}`);
      steps.push({ number, title: heading[2] as string, script: `${line}\n` });
    } else if (steps.length > 0) (steps[steps.length - 1] as WalkthroughStep).script += `${line}\n`;
    else if (line.trim() !== "") throw new Error(`walkthrough line before step 1: ${line}`);
  }
  return steps;
}

const DONE = "__WALKTHROUGH_STEP_DONE__";

/** One `bash` (errexit, nounset, pipefail) in its own process group, fed steps on stdin. */
export class ShellSession {
  private stdout = "";
  private stderr = "";
  private readonly child: ChildProcess;

  private scripts = 0;

  /** `scratch`: a directory for the scripts (each step is sourced from a file with stdin from /dev/null, so no command eats the session's input). */
  constructor(
    cwd: string,
    env: NodeJS.ProcessEnv,
    private readonly scratch: string,
  ) {
    this.child = own(spawn("bash", ["--noprofile", "--norc"], { cwd, env, detached: true, stdio: ["pipe", "pipe", "pipe"] }));
    this.child.stdout?.on("data", (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on("data", (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-16_000)));
    this.child.stdin?.write("set -euo pipefail\n");
  }

  /** Runs `script`; resolves with what it printed on stdout once it finished; rejects if the shell exits or `timeoutMs` passes. */
  async run(script: string, timeoutMs: number): Promise<string> {
    const file = join(this.scratch, `script-${++this.scripts}.sh`);
    await writeFile(file, script);
    return this.send(`source ${JSON.stringify(file)} < /dev/null`, timeoutMs);
  }

  private async send(command: string, timeoutMs: number): Promise<string> {
    this.stdout = "";
    this.child.stdin?.write(`${command}\nprintf '\\n%s\\n' ${DONE}\n`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const done = this.stdout.indexOf(`\n${DONE}\n`);
      if (done >= 0) return this.stdout.slice(0, done);
      if (this.child.exitCode !== null || this.child.signalCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const why = this.child.exitCode !== null ? `the shell exited with ${String(this.child.exitCode)}` : `no end after ${timeoutMs} ms`;
    throw new Error(`${why}\n--- stdout ---\n${this.stdout.slice(-8_000)}\n--- stderr ---\n${this.stderr}`);
  }

  /** A shell variable's value. */
  async variable(name: string): Promise<string> {
    return (await this.send(`printf '%s' "$${name}"`, 10_000)).trim();
  }

  get errors(): string {
    return this.stderr;
  }

  /** Stops the shell and everything it started in the background (its process group). */
  async stop(): Promise<void> {
    const group = this.child.pid;
    if (group === undefined) return;
    // The background nodes outlive a shell that exited: signal the group, not the shell.
    for (const [signal, waitMs] of [["SIGTERM", 15_000], ["SIGKILL", 5_000]] as const) {
      if (!signalGroup(group, signal)) return;
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline && signalGroup(group, 0)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.child.stdin?.destroy();
  }
}
