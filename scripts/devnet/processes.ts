/** Child processes owned by a test: each in its own process group, killed (SIGKILL) on cleanup. */
import type { ChildProcess } from "node:child_process";

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Resolves when the child has exited. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!isRunning(child)) return resolve();
    child.once("exit", () => resolve());
  });
}

/** Sends `signal` to the child's whole process group (spawn it with `detached: true`) and waits for it to exit. */
export async function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (!isRunning(child) || child.pid === undefined) return;
  const done = exited(child);
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  await done;
}

/** SIGTERM to the child's process group, SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (!isRunning(child)) return;
  const timer = setTimeout(() => void killGroup(child, "SIGKILL"), graceMs);
  await killGroup(child, "SIGTERM");
  clearTimeout(timer);
}

const owned = new Set<ChildProcess>();

/**
 * Remembers `child` (spawned with `detached: true`, so a terminal's Ctrl-C does not reach it) until
 * it exits, so that {@link stopOwnedChildren} can stop it even if it was started by work that a
 * signal interrupted before it returned.
 */
export function own(child: ChildProcess): ChildProcess {
  owned.add(child);
  child.once("exit", () => owned.delete(child));
  return child;
}

/** Stops every owned child that is still running (SIGTERM, SIGKILL after `graceMs`). */
export async function stopOwnedChildren(graceMs = 5_000): Promise<void> {
  await Promise.all([...owned].map((child) => stopGroup(child, graceMs)));
}

/** Thrown by a {@link waitFor} check when waiting longer cannot help (the awaited process exited): ends the wait at once. */
export class WaitAbandonedError extends Error {
  override name = "WaitAbandonedError";
}

/**
 * Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`;
 * a check that throws {@link WaitAbandonedError} ends the wait with that error.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof WaitAbandonedError) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? "" : `: ${(lastError as Error).message}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
