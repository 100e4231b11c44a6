/**
 * Entry of a sandbox worker thread. It compiles the QuickJS WebAssembly module once; each call then
 * gets its own instance of it, with a fresh linear memory capped at the call's memory limit, and a
 * fresh runtime and context (guestCall.ts). Instantiating an already compiled module costs a few
 * milliseconds and makes every call start from the same memory state, so even an out-of-memory
 * failure happens at the same allocation on every member.
 *
 * Arguments arrive as dag-cbor bytes; the result leaves as canonical dag-cbor bytes, so equal results
 * are equal bytes. Calls are served one at a time.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from "quickjs-emscripten";
import { prepareGuest, runGuestCall, type PreparedGuest } from "./guestCall.js";
import { DEFAULT_LIMITS, MAX_OUTPUT_BYTES } from "./limits.js";
import type { WorkerReply, WorkerRequest } from "./sandboxProtocol.js";
import { runWasmCall } from "./wasmCall.js";
import { fromWire, toWire } from "./wire.js";

/** The subset of the WebAssembly JS API used here (the project's TypeScript lib has no DOM/wasm types). */
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<object>;
  Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer; grow(pages: number): number };
};

const port = parentPort;
if (port === null) throw new Error("sandboxWorker.ts must run as a worker thread");

const WASM_PAGE_BYTES = 64 * 1024;
/** The build's initial linear memory (16 MiB). */
const INITIAL_PAGES = 256;

/** The release-sync QuickJS build that quickjs-emscripten's RELEASE_SYNC variant loads. */
const quickjsRequire = createRequire(createRequire(import.meta.url).resolve("quickjs-emscripten"));
const wasmModule = await WebAssembly.compile(await readFile(quickjsRequire.resolve("@jitl/quickjs-wasmfile-release-sync/wasm")));

/** A QuickJS instance with its own capped memory, and a guest prepared on it for one call. */
interface Instance {
  guest: PreparedGuest;
  memoryBytes: number;
  /** Whether the heap asked for more linear memory than the cap allows. */
  growthRefused: () => boolean;
}

async function instantiate(memoryBytes: number): Promise<Instance> {
  const maximum = Math.max(INITIAL_PAGES, Math.floor(memoryBytes / WASM_PAGE_BYTES));
  const wasmMemory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum });
  // Emscripten's heap growth calls wasmMemory.grow() from its JS glue; a refusal means malloc fails.
  let refused = false;
  const grow = wasmMemory.grow.bind(wasmMemory);
  wasmMemory.grow = (pages: number): number => {
    try {
      return grow(pages);
    } catch (error) {
      refused = true;
      throw error;
    }
  };
  const quickjs = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule, wasmMemory }));
  return { guest: prepareGuest(quickjs), memoryBytes, growthRefused: () => refused };
}

/** An instance prepared while idle for the memory cap of the last call (calls of one job share it). */
let spare: Promise<Instance> | undefined;

async function takeInstance(memoryBytes: number): Promise<Instance> {
  const ready = spare;
  spare = undefined;
  const instance = await ready?.catch(() => undefined);
  if (instance?.memoryBytes === memoryBytes) return instance;
  return instantiate(memoryBytes);
}

function prepareSpare(memoryBytes: number): void {
  spare = instantiate(memoryBytes);
  spare.catch(() => (spare = undefined));
}

type CallReply = Extract<WorkerReply, { ok: boolean }>;

async function serve(request: WorkerRequest): Promise<CallReply> {
  if (request.wasm !== undefined) return { id: request.id, logs: [], ...runWasmCall(request.wasm, request.entry, request.args, request.wasmExtra ?? [], request.limits) };
  const args = dagCbor.decode(request.args);
  const instance = await takeInstance(request.limits.memoryBytes);
  const outcome = runGuestCall(instance.guest, {
    source: request.source,
    entry: request.entry,
    args: toWire(args),
    seed: request.seed,
    limits: request.limits,
    memoryExhausted: instance.growthRefused,
  });
  const { fuelUsed, logs } = outcome;
  if (!outcome.ok) return { id: request.id, ok: false, kind: outcome.kind, message: outcome.message, fuelUsed, logs };
  let output: Uint8Array;
  try {
    output = dagCbor.encode(fromWire(outcome.result));
  } catch (error) {
    const message = `output cannot be encoded as dag-cbor: ${(error as Error).message}`;
    return { id: request.id, ok: false, kind: "bad-output", message, fuelUsed, logs };
  }
  if (output.byteLength > MAX_OUTPUT_BYTES) {
    const message = `output is ${output.byteLength} bytes, more than the ${MAX_OUTPUT_BYTES}-byte block limit`;
    return { id: request.id, ok: false, kind: "bad-output", message, fuelUsed, logs };
  }
  return { id: request.id, ok: true, output, fuelUsed, logs };
}

port.on("message", (request: WorkerRequest) => {
  serve(request)
    .then(
      (reply) => port.postMessage(reply),
      (error: unknown) => {
        const crashed = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        port.postMessage({ id: request.id, crashed } satisfies WorkerReply);
      },
    )
    // A WebAssembly call used no QuickJS instance: the spare prepared before it is still unused.
    .finally(() => (request.wasm === undefined || spare === undefined) && prepareSpare(request.limits.memoryBytes));
});
prepareSpare(DEFAULT_LIMITS.memoryBytes);
await spare;
port.postMessage({ ready: true } satisfies WorkerReply);
