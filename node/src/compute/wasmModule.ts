/**
 * Checking and metering a job's WebAssembly module (the ABI is in job.ts).
 *
 * Rules (each a WasmModuleError subclass, refused at submit and, as BadJobCodeError, at load):
 * - a WebAssembly 1.0 binary the engine compiles (WasmMalformedError);
 * - no imports at all (WasmImportError): nothing can read time, randomness, files or the network;
 * - no start function (WasmStartFunctionError): initialisation is the optional `_initialize` export,
 *   which the host calls, metered, at the start of each call;
 * - one memory, declared with a maximum of at most `memoryBytes / 65536` pages (WasmMemoryError),
 *   so the engine itself caps its growth; `memory.grow` past it returns -1 on every member;
 * - no floating-point instruction at all (WasmFloatError): loads, stores, constants, arithmetic and
 *   conversions of f32/f64. NaN payloads differ between engines and CPUs, and any float that can be
 *   stored to memory lets a job observe them, so the simple sound rule is to refuse floats;
 * - only MVP, sign-extension, bulk-memory and reference-type instructions (WasmFeatureError);
 * - exports `memory`, `alloc`, `map` and `reduce` (WasmExportError).
 *
 * Metering (fuel and stack) is in wasmMeter.ts.
 */
import { WasmExportError, WasmImportError, WasmMalformedError, WasmMemoryError, WasmStartFunctionError } from "./errors.js";
import { Reader, readSections } from "./wasmBinary.js";
import { FUEL_EXPORT, SECTION, STACK_EXPORT, walkCode } from "./wasmMeter.js";
import { wasmApi } from "./wasmApi.js";

export const WASM_PAGE_BYTES = 64 * 1024;
export const REQUIRED_EXPORTS = ["alloc", "map", "reduce"] as const;

export interface ModuleInfo {
  maxPages: number;
}

/** Checks a module against the rules above for a job whose memory limit is `memoryBytes`. */
export function checkWasmModule(bytes: Uint8Array, memoryBytes: number): ModuleInfo {
  if (!wasmApi.validate(bytes)) throw new WasmMalformedError("the module does not validate as WebAssembly");
  const sections = readSections(bytes);
  let maxPages: number | undefined;
  let memories = 0;
  const exports = new Map<string, number>();
  for (const section of sections) {
    const reader = new Reader(bytes, section.start);
    if (section.id === SECTION.import && reader.u32() > 0) {
      reader.pos = section.start + 1;
      const module = reader.name();
      const field = reader.name();
      throw new WasmImportError(`the module imports ${module}.${field}: job modules may import nothing`);
    }
    if (section.id === SECTION.start) throw new WasmStartFunctionError("the module has a start function: job modules may not run code at instantiation");
    if (section.id === SECTION.memory) {
      memories = reader.u32();
      if (memories !== 1) continue;
      const flags = reader.byte();
      reader.u32();
      if (flags !== 0x01) throw new WasmMemoryError(flags === 0x00 ? "the memory declares no maximum" : `memory flags 0x${flags.toString(16)} (shared or 64-bit) are refused`);
      maxPages = reader.u32();
    }
    if (section.id === SECTION.export) {
      const count = reader.u32();
      for (let i = 0; i < count; i += 1) {
        const name = reader.name();
        const kind = reader.byte();
        reader.u32();
        exports.set(name, kind);
      }
    }
    if (section.id === SECTION.code) walkCode(bytes, section, () => undefined);
  }
  if (memories !== 1 || maxPages === undefined) throw new WasmMemoryError("the module must define exactly one memory");
  const limit = Math.floor(memoryBytes / WASM_PAGE_BYTES);
  if (maxPages > limit) throw new WasmMemoryError(`the memory's maximum of ${maxPages} pages is above the job's limit of ${limit} pages (${memoryBytes} bytes)`);
  if (exports.get("memory") !== 2) throw new WasmExportError("the module must export its memory as `memory`");
  for (const name of REQUIRED_EXPORTS) if (exports.get(name) !== 0) throw new WasmExportError(`the module must export the function \`${name}\``);
  for (const reserved of [FUEL_EXPORT, STACK_EXPORT]) if (exports.has(reserved)) throw new WasmExportError(`the export name ${reserved} is reserved`);
  return { maxPages };
}
