/**
 * Resource bounds of one sandboxed call. Everything here is part of a job's meaning: members must
 * run a job with the same limits to get the same result, so limits come from the job spec (with
 * these defaults), never from a member's local configuration.
 */

export interface SandboxLimits {
  /**
   * Fuel, in interrupt ticks: QuickJS polls its interrupt handler at loop back-edges and calls
   * (about every 10,000 interpreter poll points). The count is a pure function of the code and its
   * input, so exhausting it is deterministic. 1,000 ticks is roughly 0.2-0.5 s of work here.
   */
  fuel: number;
  /**
   * Cap on the linear memory of the call's own QuickJS WebAssembly instance: heap (inputs, working
   * set, output) plus a fixed part of about 6 MiB (5 MiB C stack, static data). Each call gets a
   * fresh instance, so the point where an allocation fails is the same on every member.
   */
  memoryBytes: number;
}

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({ fuel: 20_000, memoryBytes: 64 * 1024 * 1024 });

/** Upper bounds a job spec may ask for. */
export const MAX_LIMITS: Readonly<SandboxLimits> = Object.freeze({ fuel: 2_000_000, memoryBytes: 1024 * 1024 * 1024 });

/**
 * The QuickJS stack limit. Fixed (not per job) because it decides how deep a job may recurse, and it
 * is small enough that QuickJS's own check fires long before the host thread's stack could overflow
 * (the worker runs with a 64 MiB V8 stack; see sandboxWorker.ts).
 */
export const GUEST_STACK_BYTES = 512 * 1024;

/** Largest output block: it must travel as one IPFS block (bitswap's limit is 2 MiB). */
export const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Smallest memory cap: the QuickJS build's initial linear memory is 16 MiB. */
export const MIN_MEMORY_BYTES = 32 * 1024 * 1024;

export function resolveLimits(requested: Partial<SandboxLimits> | undefined): SandboxLimits {
  return {
    fuel: Math.min(requested?.fuel ?? DEFAULT_LIMITS.fuel, MAX_LIMITS.fuel),
    memoryBytes: Math.max(MIN_MEMORY_BYTES, Math.min(requested?.memoryBytes ?? DEFAULT_LIMITS.memoryBytes, MAX_LIMITS.memoryBytes)),
  };
}
