/**
 * One call of a WebAssembly job inside a sandbox worker (the ABI is in job.ts, the rules and the
 * metering in wasmModule.ts). Each call gets a fresh instance, so a fresh memory: the same module,
 * input and fuel give the same bytes or the same failure on every member.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { createHash } from "node:crypto";
import type { JobFailureKind } from "./errors.js";
import { WasmModuleError } from "./errors.js";
import { MAX_OUTPUT_BYTES, WASM_FUEL_PER_TICK, type SandboxLimits } from "./limits.js";
import { wasmApi, type WasmGlobal, type WasmMemory } from "./wasmApi.js";
import { FUEL_EXPORT, meterModule, STACK_EXPORT, WASM_STACK_SLOTS } from "./wasmMeter.js";
import { checkWasmModule } from "./wasmModule.js";

export type WasmOutcome =
  | { ok: true; output: Uint8Array; fuelUsed: number }
  | { ok: false; kind: JobFailureKind; message: string; fuelUsed: number };

/** Compiled metered modules by sha256 of the original bytes and memory limit (calls of one job share one). */
const compiled = new Map<string, object>();
const MAX_CACHED = 8;

function compile(wasm: Uint8Array, memoryBytes: number): object {
  const key = `${createHash("sha256").update(wasm).digest("hex")}:${memoryBytes}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  checkWasmModule(wasm, memoryBytes);
  const module = new wasmApi.Module(meterModule(wasm));
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(key, module);
  return module;
}

type Fn = (...args: number[]) => number | bigint;

/** Calls `entry` with `input` (the ABI's dag-cbor input, sandboxProtocol.ts wasmCallArgs) copied into a fresh instance. */
export function runWasmCall(wasm: Uint8Array, entry: string, input: Uint8Array, extra: number[], limits: SandboxLimits): WasmOutcome {
  let module: object;
  try {
    module = compile(wasm, limits.memoryBytes);
  } catch (error) {
    if (error instanceof WasmModuleError) return { ok: false, kind: "bad-code", message: `${error.name}: ${error.message}`, fuelUsed: 0 };
    throw error;
  }
  const { exports } = new wasmApi.Instance(module, {});
  const fuel = exports[FUEL_EXPORT] as WasmGlobal;
  const stack = exports[STACK_EXPORT] as WasmGlobal;
  const memory = exports.memory as WasmMemory;
  const budget = BigInt(limits.fuel) * BigInt(WASM_FUEL_PER_TICK);
  fuel.value = budget;
  /** Fuel used, in ticks (rounded up). */
  const used = (): number => Math.ceil(Number(budget - fuel.value) / WASM_FUEL_PER_TICK);
  const fn = exports[entry];
  if (typeof fn !== "function") return { ok: false, kind: "bad-code", message: `the module does not export ${entry}`, fuelUsed: 0 };
  try {
    if (typeof exports._initialize === "function") (exports._initialize as Fn)();
    const ptr = Number((exports.alloc as Fn)(input.length)) >>> 0;
    if (ptr + input.length > memory.buffer.byteLength) return { ok: false, kind: "threw", message: "alloc returned a range outside memory", fuelUsed: used() };
    new Uint8Array(memory.buffer).set(input, ptr);
    const result = BigInt.asUintN(64, BigInt((fn as Fn)(ptr, input.length, ...extra)));
    return readOutput(memory, Number(result >> 32n), Number(result & 0xffffffffn), used());
  } catch (error) {
    if (fuel.value < 0n) return { ok: false, kind: "fuel", message: `the job ran out of its ${limits.fuel} fuel (${budget} instructions)`, fuelUsed: limits.fuel };
    if (stack.value > BigInt(WASM_STACK_SLOTS)) return { ok: false, kind: "threw", message: `the module's calls nested deeper than the ${WASM_STACK_SLOTS}-slot stack budget`, fuelUsed: used() };
    if (error instanceof wasmApi.RuntimeError) return { ok: false, kind: "threw", message: `the module trapped: ${error.message}`, fuelUsed: used() };
    throw error; // an engine stack overflow (RangeError) below the metered budget: a host fault, a non-answer
  }
}

function readOutput(memory: WasmMemory, ptr: number, length: number, fuelUsed: number): WasmOutcome {
  if (length > MAX_OUTPUT_BYTES) return { ok: false, kind: "bad-output", message: `output is ${length} bytes, more than the ${MAX_OUTPUT_BYTES}-byte block limit`, fuelUsed };
  if (ptr + length > memory.buffer.byteLength) return { ok: false, kind: "bad-output", message: "the output range is outside memory", fuelUsed };
  const output = new Uint8Array(memory.buffer, ptr, length).slice();
  try {
    if (!sameBytes(dagCbor.encode(dagCbor.decode(output)), output)) return { ok: false, kind: "bad-output", message: "output is not canonical dag-cbor", fuelUsed };
  } catch (error) {
    return { ok: false, kind: "bad-output", message: `output is not dag-cbor: ${(error as Error).message}`, fuelUsed };
  }
  return { ok: true, output, fuelUsed };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
