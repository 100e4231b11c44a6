/**
 * One sandboxed call, synchronously, inside the sandbox worker: a runtime and context on a QuickJS
 * instance made for this call (see sandboxWorker.ts) with the prelude evaluated (`prepareGuest`,
 * done ahead of time), then the seed, the job's ES module, one exported function called with the
 * arguments, the result serialised (`runGuestCall`); then the whole instance is dropped.
 *
 * Memory is bounded by the instance's linear memory cap, not by JS_SetMemoryLimit: this QuickJS
 * build has no malloc_usable_size, so its own accounting counts allocations rather than bytes.
 *
 * Only the sandbox worker calls this: the worker has a large native stack, so QuickJS's own stack
 * check (GUEST_STACK_BYTES) always fires before the host's could.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten";
import type { JobFailureKind } from "./errors.js";
import { GUEST_PRELUDE } from "./guestPrelude.js";
import { GUEST_STACK_BYTES, type SandboxLimits } from "./limits.js";
import type { WireMessage } from "./wire.js";

export interface GuestCallRequest {
  /** The job's ES module source. */
  source: string;
  /** Name of the exported function to call. */
  entry: string;
  /** The argument list (an array), in wire form. */
  args: WireMessage;
  /** Four 32-bit words seeding Math.random. */
  seed: [number, number, number, number];
  limits: SandboxLimits;
  /**
   * Whether the instance was refused linear memory (so some allocation failed). When QuickJS cannot
   * even allocate its "out of memory" error it throws `null`; this tells that case apart.
   */
  memoryExhausted?: () => boolean;
}

export type GuestCallOutcome =
  | { ok: true; result: WireMessage; fuelUsed: number; logs: string[] }
  | { ok: false; kind: JobFailureKind; message: string; fuelUsed: number; logs: string[] };

/** Intrinsics of a job context: the QuickJS defaults without Date (no clock), plus BigInt. */
const JOB_INTRINSICS = {
  BaseObjects: true,
  Date: false,
  Eval: true,
  StringNormalize: true,
  RegExp: true,
  JSON: true,
  Proxy: true,
  MapSet: true,
  TypedArrays: true,
  Promise: true,
  BigInt: true,
} as const;

const MAX_MESSAGE_CHARS = 2000;

/** A failure inside the guest, classified; thrown through the steps below and caught once. */
class GuestFailure extends Error {
  /** The guest threw `null` (the job's own `throw null`, or QuickJS out of memory twice over). */
  readonly thrownNull: boolean;
  constructor(
    readonly kind: JobFailureKind,
    message: string,
  ) {
    super(message);
    this.thrownNull = / threw: null$/.test(message);
  }
}

/**
 * A fresh runtime and context with the prelude evaluated, ready for one call. Preparing it ahead of
 * time (while the worker is idle) takes its cost off the call's latency; it is still used once.
 */
export interface PreparedGuest {
  readonly runtime: QuickJSRuntime;
  readonly context: QuickJSContext;
  readonly helpers: QuickJSHandle;
  readonly fuel: { ticks: number; limit: number; exhausted: boolean };
  readonly handles: QuickJSHandle[];
  used: boolean;
}

export function prepareGuest(quickjs: QuickJSWASMModule): PreparedGuest {
  const runtime = quickjs.newRuntime();
  const fuel = { ticks: 0, limit: Number.POSITIVE_INFINITY, exhausted: false };
  runtime.setInterruptHandler(() => {
    fuel.ticks += 1;
    if (fuel.ticks > fuel.limit) fuel.exhausted = true;
    return fuel.exhausted;
  });
  runtime.setMaxStackSize(GUEST_STACK_BYTES);
  const context = runtime.newContext({ intrinsics: JOB_INTRINSICS });
  const handles: QuickJSHandle[] = [];
  const prelude = context.unwrapResult(context.evalCode(GUEST_PRELUDE, "rings-prelude.js", { type: "global", strict: true }));
  handles.push(prelude);
  const helpers = context.unwrapResult(context.callFunction(prelude, context.undefined));
  handles.push(helpers);
  return { runtime, context, helpers, fuel, handles, used: false };
}

/** Runs one call on a prepared guest (each guest serves one call and is then dropped). */
export function runGuestCall(guest: PreparedGuest, request: GuestCallRequest): GuestCallOutcome {
  if (guest.used) throw new Error("a prepared guest serves exactly one call");
  guest.used = true;
  const { runtime, context, helpers, fuel } = guest;
  const keep = (handle: QuickJSHandle): QuickJSHandle => {
    guest.handles.push(handle);
    return handle;
  };
  fuel.ticks = 0;
  fuel.limit = request.limits.fuel;
  let logs: string[] = [];
  const logsHandle = keep(context.getProp(helpers, "logs"));
  try {
    try {
      seedRandom(context, helpers, request.seed, keep);
      const exports = loadModule(context, runtime, request.source, keep);
      const entry = keep(context.getProp(exports, request.entry));
      if (context.typeof(entry) !== "function") {
        throw new GuestFailure("bad-code", `the job module does not export a function '${request.entry}'`);
      }
      const args = decodeArgs(context, helpers, request.args, keep);
      const returned = settle(context, runtime, guard(context, "threw", context.callFunction(entry, context.undefined, args), keep), keep, "threw");
      const result = encodeResult(context, helpers, returned, keep);
      return { ok: true, result, fuelUsed: fuel.ticks, logs: readLogs(context, logsHandle) };
    } finally {
      runtime.removeInterruptHandler();
      logs = readLogs(context, logsHandle);
    }
  } catch (error) {
    const fuelUsed = fuel.ticks;
    if (fuel.exhausted) return { ok: false, kind: "fuel", message: `fuel exhausted after ${request.limits.fuel} ticks`, fuelUsed, logs };
    if (error instanceof GuestFailure) {
      if (error.thrownNull && request.memoryExhausted?.()) {
        return { ok: false, kind: "memory", message: memoryMessage(request.limits), fuelUsed, logs };
      }
      const message = error.kind === "memory" ? memoryMessage(request.limits) : error.message;
      return { ok: false, kind: error.kind, message, fuelUsed, logs };
    }
    if (isOutOfMemory(error)) return { ok: false, kind: "memory", message: memoryMessage(request.limits), fuelUsed, logs };
    throw error;
  }
  // No dispose: the instance (runtime, context, handles, its whole linear memory) is dropped after
  // this one call, and freeing QuickJS objects one by one first would only cost time (~1.5 ms).
}

function seedRandom(context: QuickJSContext, helpers: QuickJSHandle, seed: GuestCallRequest["seed"], keep: (h: QuickJSHandle) => QuickJSHandle): void {
  const setSeed = keep(context.getProp(helpers, "seed"));
  const words = seed.map((word) => keep(context.newNumber(word | 0)));
  keep(context.unwrapResult(context.callFunction(setSeed, context.undefined, words)));
}

function loadModule(context: QuickJSContext, runtime: QuickJSRuntime, source: string, keep: (h: QuickJSHandle) => QuickJSHandle): QuickJSHandle {
  const evaluated = context.evalCode(source, "job.js", { type: "module", strict: true });
  if (evaluated.error) {
    const error = keep(evaluated.error);
    const description = describeError(context, error);
    const kind: JobFailureKind = description.startsWith("SyntaxError") || /could not load module|module not found/i.test(description) ? "bad-code" : "threw";
    throw new GuestFailure(classify(description, kind), `${kind === "bad-code" ? "job code does not load" : "job module threw"}: ${description}`);
  }
  return settle(context, runtime, keep(evaluated.value), keep, "threw", "job module");
}

/** Runs pending jobs until `handle` (possibly a promise) settles; returns the fulfilled value. */
function settle(
  context: QuickJSContext,
  runtime: QuickJSRuntime,
  handle: QuickJSHandle,
  keep: (h: QuickJSHandle) => QuickJSHandle,
  rejectedKind: JobFailureKind,
  what = "job",
): QuickJSHandle {
  let state = context.getPromiseState(handle);
  if (state.type === "fulfilled" && state.notAPromise) return handle;
  while (state.type === "pending") {
    const executed = runtime.executePendingJobs();
    if (executed.error) {
      const error = keep(executed.error);
      throw new GuestFailure(classify(describeError(context, error), rejectedKind), `${what} threw: ${describeError(context, error)}`);
    }
    if (executed.value === 0) {
      state = context.getPromiseState(handle);
      if (state.type === "pending") throw new GuestFailure("bad-output", `${what} returned a promise that never settles`);
      break;
    }
    state = context.getPromiseState(handle);
  }
  if (state.type === "rejected") {
    const error = keep(state.error);
    const description = describeError(context, error);
    throw new GuestFailure(classify(description, rejectedKind), `${what} threw: ${description}`);
  }
  if (state.type !== "fulfilled") throw new GuestFailure("bad-output", `${what} returned a promise that never settles`);
  return keep(state.value);
}

function decodeArgs(context: QuickJSContext, helpers: QuickJSHandle, args: WireMessage, keep: (h: QuickJSHandle) => QuickJSHandle): QuickJSHandle[] {
  const decode = keep(context.getProp(helpers, "decode"));
  const json = keep(context.newString(args.json));
  const buffers = keep(context.newArray());
  args.buffers.forEach((bytes, index) => {
    const copy = bytes.slice().buffer;
    const buffer = keep(context.newArrayBuffer(copy));
    context.setProp(buffers, index, buffer);
  });
  const strings = keep(context.newArray());
  (args.strings ?? []).forEach((text, index) => context.setProp(strings, index, keep(context.newString(text))));
  const list = guard(context, "threw", context.callFunction(decode, context.undefined, json, buffers, strings), keep);
  const length = context.getLength(list) ?? 0;
  const handles: QuickJSHandle[] = [];
  for (let index = 0; index < length; index += 1) handles.push(keep(context.getProp(list, index)));
  return handles;
}

function encodeResult(context: QuickJSContext, helpers: QuickJSHandle, value: QuickJSHandle, keep: (h: QuickJSHandle) => QuickJSHandle): WireMessage {
  const encode = keep(context.getProp(helpers, "encode"));
  const pair = guard(context, "bad-output", context.callFunction(encode, context.undefined, value), keep);
  const jsonHandle = keep(context.getProp(pair, 0));
  if (context.typeof(jsonHandle) !== "string") throw new GuestFailure("bad-output", "the job returned undefined (or nothing serialisable)");
  const buffersHandle = keep(context.getProp(pair, 1));
  const count = context.getLength(buffersHandle) ?? 0;
  const buffers: Uint8Array[] = [];
  for (let index = 0; index < count; index += 1) {
    const bufferHandle = keep(context.getProp(buffersHandle, index));
    const view = context.getArrayBuffer(bufferHandle);
    buffers.push(view.value.slice());
    view.dispose();
  }
  return { json: context.getString(jsonHandle), buffers };
}

/** Unwraps a call result; a guest exception becomes a GuestFailure of the given kind. */
function guard(
  context: QuickJSContext,
  kind: JobFailureKind,
  result: ReturnType<QuickJSContext["callFunction"]>,
  keep: (h: QuickJSHandle) => QuickJSHandle,
): QuickJSHandle {
  if (result.error) {
    const error = keep(result.error);
    const description = describeError(context, error);
    const prefix = kind === "bad-output" ? "output cannot be encoded" : "job threw";
    throw new GuestFailure(classify(description, kind), `${prefix}: ${description}`);
  }
  return keep(result.value);
}

/** QuickJS reports an exhausted heap as InternalError "out of memory", whatever step hit it. */
function classify(description: string, fallback: JobFailureKind): JobFailureKind {
  return /^InternalError: out of memory/.test(description) ? "memory" : fallback;
}

function describeError(context: QuickJSContext, error: QuickJSHandle): string {
  try {
    const dumped: unknown = context.dump(error);
    if (dumped !== null && typeof dumped === "object" && "message" in dumped) {
      const { name, message } = dumped as { name?: unknown; message?: unknown };
      return `${typeof name === "string" ? name : "Error"}: ${String(message)}`.slice(0, MAX_MESSAGE_CHARS);
    }
    return (typeof dumped === "string" ? dumped : JSON.stringify(dumped) ?? String(dumped)).slice(0, MAX_MESSAGE_CHARS);
  } catch {
    return "InternalError: out of memory";
  }
}

function readLogs(context: QuickJSContext, logsHandle: QuickJSHandle): string[] {
  try {
    const dumped: unknown = context.dump(logsHandle);
    return Array.isArray(dumped) ? dumped.filter((line): line is string => typeof line === "string") : [];
  } catch {
    return [];
  }
}

function isOutOfMemory(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return /out of memory|Aborted\(OOM\)|Cannot enlarge memory/i.test(text);
}

function memoryMessage(limits: SandboxLimits): string {
  return `memory limit of ${limits.memoryBytes} bytes exceeded`;
}
