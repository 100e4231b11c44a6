/**
 * Resource bounds of one sandboxed call. Everything here is part of a job's meaning: members must
 * run a job with the same limits to get the same result, so limits come from the job spec (with
 * these defaults), never from a member's local configuration.
 */

export interface SandboxLimits {
  /**
   * Fuel, in interrupt ticks: QuickJS polls its interrupt handler at loop back-edges and calls
   * (about every 10,000 interpreter poll points). The count is a pure function of the code and its
   * input, so exhausting it is deterministic. 1,000 ticks is roughly 0.06 s (a tight loop) to 2 s
   * (allocation-heavy code) of work here; see MAX_LIMITS.
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

/**
 * Wall-clock safety net of one sandbox call, in ms (Sandbox's default `timeoutMs`). A timeout is a
 * non-answer (it depends on the member's machine), so the fuel bound below is chosen to end every
 * plain loop with its deterministic "fuel exhausted" result long before this.
 */
export const SANDBOX_TIMEOUT_MS = 60_000;

/**
 * Upper bounds a job spec may ask for.
 *
 * Fuel: an endless empty loop (`for (;;) {}`, the cheapest work per tick) burns about 15,800
 * ticks/s here (measured: 20,000 ticks in 1.27 s on 2 cores shared with running benchmarks), and
 * 7,200 ticks/s when run at `nice` 10 beside them (200,000 ticks in 27.7 s). 100,000 ticks end it
 * in 6-14 s: 4.3 times under SANDBOX_TIMEOUT_MS in the slowest case measured, room for a slower
 * member. (2,000,000 took ~127 s, past the timeout, so an endless loop never got its deterministic
 * result and was retried as a non-answer.) Work between interrupt polls that is heavier than a
 * loop back-edge (allocation, string building: 450-4,000 ticks/s measured) runs longer per tick;
 * for such code the timeout stays the net, and the shard scheduler's retry budget bounds what it
 * costs a member (rounds/shardScheduler.ts).
 */
export const MAX_LIMITS: Readonly<SandboxLimits> = Object.freeze({ fuel: 100_000, memoryBytes: 1024 * 1024 * 1024 });

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

/**
 * WebAssembly jobs count fuel in metered instructions (wasmModule.ts): one tick of `fuel` is this
 * many. Metered code runs at a few billion counted instructions per
 * second here (primes below 300,000: 138e6 in 38 ms), so MAX_LIMITS.fuel (5e10 instructions) ends it
 * in about 12 s, well before SANDBOX_TIMEOUT_MS; the default (1e10) fits primes below 3,000,000 (4.4e9).
 */
export const WASM_FUEL_PER_TICK = 500_000;
