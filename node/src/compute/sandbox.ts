/**
 * The deterministic JavaScript sandbox: job code (an ES module) runs in QuickJS compiled to
 * WebAssembly, in worker threads, with a fresh runtime and context per call on a WASM module that
 * each worker compiles once.
 *
 * Same source + same arguments + same seed + same limits => the same output bytes (canonical
 * dag-cbor) or the same failure, on every machine: no clock, no randomness except a seeded
 * `Math.random`, no timers, network, filesystem or module loader; fuel and memory bounds.
 *
 * Deterministic failures reject with a `JobFailure` (FuelExhaustedError, MemoryLimitError,
 * JobThrewError, BadOutputError, BadJobCodeError). A call that exceeds the host's wall-clock
 * `timeoutMs` (a safety net against native code that never polls, such as a pathological
 * JSON.stringify) rejects with SandboxTimeoutError: that is a non-answer, not a result.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { Worker } from "node:worker_threads";
import { cidOfBytes } from "../core/cid.js";
import { jobFailureFrom, SandboxClosedError, SandboxCrashedError, SandboxTimeoutError } from "./errors.js";
import { resolveLimits, SANDBOX_TIMEOUT_MS, type SandboxLimits } from "./limits.js";
import { wasmCallArgs, type WorkerReply, type WorkerRequest } from "./sandboxProtocol.js";

export interface SandboxCall {
  /** The job's ES module source. */
  source: string;
  /** A WebAssembly job module instead of `source` (job.ts has the ABI). */
  wasm?: Uint8Array;
  /** Name of the exported function to call. */
  entry: string;
  /** Arguments, as IPLD data model values (what @ipld/dag-cbor decodes to). */
  args: unknown[];
  /** Seeds `Math.random` (the first 16 bytes are used; zero-padded). Default: all zero. */
  seed?: Uint8Array;
  /** Merged with DEFAULT_LIMITS and capped by MAX_LIMITS. */
  limits?: Partial<SandboxLimits>;
}

export interface SandboxOutput {
  /** CIDv1 dag-cbor sha2-256 of `bytes`. */
  cid: CID;
  /** Canonical dag-cbor encoding of the returned value. */
  bytes: Uint8Array;
  /** Interrupt ticks consumed. */
  fuelUsed: number;
  /** What the job wrote to `console` (capped; for debugging, not part of the result). */
  logs: string[];
}

export interface SandboxOptions {
  /** Worker threads, i.e. calls that run in parallel. Default 1. */
  workers?: number;
  /** Default wall-clock limit per call, in ms. Default SANDBOX_TIMEOUT_MS (60,000). */
  timeoutMs?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** V8 stack of a worker thread: far above what GUEST_STACK_BYTES of QuickJS stack can use. */
const WORKER_STACK_MB = 64;

interface PendingCall {
  request: WorkerRequest;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  resolve(output: SandboxOutput): void;
  reject(error: Error): void;
  detach(): void;
}

interface Slot {
  worker: Worker;
  /** Resolves once the worker has compiled QuickJS; rejects if it dies first. */
  ready: Promise<void>;
  markReady(): void;
  markDead(error: Error): void;
  current: PendingCall | undefined;
  timer: NodeJS.Timeout | undefined;
}

export class Sandbox {
  private readonly size: number;
  private readonly timeoutMs: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: PendingCall[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: SandboxOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? 1));
    this.timeoutMs = options.timeoutMs ?? SANDBOX_TIMEOUT_MS;
  }

  /** Starts all workers and waits until each has compiled its WASM module. */
  async warm(): Promise<void> {
    this.assertOpen();
    while (this.slots.size < this.size) this.spawn();
    await Promise.all([...this.slots].map((slot) => slot.ready));
  }

  /** Runs one call. Resolves with the output, or rejects with a JobFailure or a non-answer error. */
  run(call: SandboxCall, options: RunOptions = {}): Promise<SandboxOutput> {
    if (this.closed) return Promise.reject(new SandboxClosedError("the sandbox is closed"));
    const request: WorkerRequest = {
      id: this.nextId++,
      source: call.source,
      entry: call.entry,
      args: new Uint8Array(0),
      seed: seedWords(call.seed),
      limits: resolveLimits(call.limits),
    };
    if (call.wasm !== undefined) {
      const { input, extra } = wasmCallArgs(call.entry, call.args);
      request.wasm = call.wasm;
      request.args = input;
      request.wasmExtra = extra;
    } else request.args = dagCbor.encode(call.args);
    return new Promise<SandboxOutput>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const pending: PendingCall = {
        request,
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        signal,
        resolve,
        reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      const onAbort = (): void => this.abort(pending);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Terminates the workers; queued and running calls reject with SandboxClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new SandboxClosedError("the sandbox was closed");
    for (const pending of this.queue.splice(0)) this.settle(pending, error);
    const slots = [...this.slots];
    this.slots.clear();
    await Promise.all(
      slots.map(async (slot) => {
        clearTimeout(slot.timer);
        slot.markDead(error);
        if (slot.current) this.settle(slot.current, error);
        await slot.worker.terminate();
      }),
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new SandboxClosedError("the sandbox is closed");
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((candidate) => candidate.current === undefined);
      if (!slot && this.slots.size < this.size) slot = this.spawn();
      if (!slot) return;
      const pending = this.queue.shift() as PendingCall;
      slot.current = pending;
      slot.worker.ref();
      slot.timer = setTimeout(() => {
        this.retire(slot, new SandboxTimeoutError(`the sandbox call did not finish within ${pending.timeoutMs} ms`));
      }, pending.timeoutMs);
      slot.worker.postMessage(pending.request);
    }
  }

  private spawn(): Slot {
    const worker = createWorker();
    let markReady: () => void = () => undefined;
    let markDead: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markDead = reject;
    });
    ready.catch(() => undefined);
    const slot: Slot = { worker, ready, markReady, markDead, current: undefined, timer: undefined };
    worker.unref();
    worker.on("message", (reply: WorkerReply) => {
      if ("ready" in reply) {
        slot.markReady();
        return;
      }
      void this.onReply(slot, reply);
    });
    worker.on("error", (error: Error) => this.retire(slot, new SandboxCrashedError(`sandbox worker failed: ${error.message}`)));
    worker.on("exit", (code) => this.retire(slot, new SandboxCrashedError(`sandbox worker exited with code ${code}`)));
    this.slots.add(slot);
    return slot;
  }

  private async onReply(slot: Slot, reply: Exclude<WorkerReply, { ready: true }>): Promise<void> {
    const pending = slot.current;
    if (!pending || pending.request.id !== reply.id) return;
    clearTimeout(slot.timer);
    if ("crashed" in reply) {
      this.retire(slot, new SandboxCrashedError(`sandbox worker crashed: ${reply.crashed}`));
      return;
    }
    slot.current = undefined;
    slot.worker.unref();
    if (reply.ok) {
      const bytes = new Uint8Array(reply.output);
      this.settle(pending, { cid: await cidOfBytes(bytes), bytes, fuelUsed: reply.fuelUsed, logs: reply.logs });
    } else {
      this.settle(pending, jobFailureFrom(reply.kind, reply.message, reply.fuelUsed));
    }
    this.dispatch();
  }

  /** Drops a worker (timed out, crashed, aborted); its current call rejects with `error`. */
  private retire(slot: Slot, error: Error): void {
    if (!this.slots.delete(slot)) return;
    slot.markDead(error);
    clearTimeout(slot.timer);
    if (slot.current) this.settle(slot.current, error);
    slot.current = undefined;
    void slot.worker.terminate();
    if (!this.closed) this.dispatch();
  }

  private abort(pending: PendingCall): void {
    const error = abortReason(pending.signal as AbortSignal);
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(pending, error);
      return;
    }
    const slot = [...this.slots].find((candidate) => candidate.current === pending);
    if (slot) this.retire(slot, error);
  }

  private settle(pending: PendingCall, outcome: SandboxOutput | Error): void {
    pending.detach();
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }
}

function createWorker(): Worker {
  const options = { resourceLimits: { stackSizeMb: WORKER_STACK_MB } };
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./sandboxWorker.js", import.meta.url), options);
  // Running from TypeScript sources (tsx, hardhat test): register tsx inside the worker first.
  const entry = new URL("./sandboxWorker.ts", import.meta.url).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

function seedWords(seed: Uint8Array | undefined): [number, number, number, number] {
  const bytes = new Uint8Array(16);
  if (seed) bytes.set(seed.subarray(0, 16));
  const view = new DataView(bytes.buffer);
  return [view.getInt32(0, true), view.getInt32(4, true), view.getInt32(8, true), view.getInt32(12, true)];
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("the sandbox call was aborted", "AbortError");
}
