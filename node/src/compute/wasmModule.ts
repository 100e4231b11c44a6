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
 * **Metering**: `meterModule` adds a mutable i64 global, exported as `FUEL_EXPORT`, and at every
 * function entry and loop header subtracts a static cost — the number of instructions in that
 * function body or loop body outside nested loops — trapping with `unreachable` once the global is
 * below zero. The host sets the global to the call's fuel before the call; a trap with the global
 * below zero is FuelExhaustedError. The count is a pure function of the module and its input, so
 * every member runs out at the same instruction. (Bulk `memory.fill`/`memory.copy` count as one
 * instruction; their work is bounded by the memory cap.)
 */
import { WasmExportError, WasmFloatError, WasmImportError, WasmMalformedError, WasmMemoryError, WasmStartFunctionError } from "./errors.js";
import { encodeS64, encodeU32, isFloatOpcode, Reader, readSections, skipImmediates, type Section } from "./wasmBinary.js";
import { wasmApi } from "./wasmApi.js";

export const WASM_PAGE_BYTES = 64 * 1024;
/** Name of the fuel global the metering adds. */
export const FUEL_EXPORT = "__ring_fuel";
export const REQUIRED_EXPORTS = ["alloc", "map", "reduce"] as const;

const SECTION = { type: 1, import: 2, memory: 5, global: 6, export: 7, start: 8, code: 10 } as const;
/** Sections that must come after the global section (export, start, element, data count, code, data). */
const AFTER_GLOBALS = new Set([6, 7, 8, 9, 10, 11, 12]);

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
  if (exports.has(FUEL_EXPORT)) throw new WasmExportError(`the export name ${FUEL_EXPORT} is reserved`);
  return { maxPages };
}

/** A metered copy of a checked module (see the header). */
export function meterModule(bytes: Uint8Array): Uint8Array {
  const sections = readSections(bytes);
  const globals = sections.find((section) => section.id === SECTION.global);
  const globalCount = globals ? new Reader(bytes, globals.start).u32() : 0;
  const fuelGlobal = globalCount;
  // mutable i64 = 0, appended after the module's own globals (there are no imported ones)
  const fuelEntry = [0x7e, 0x01, 0x42, 0x00, 0x0b];
  const out: number[][] = [Array.from(bytes.subarray(0, 8))];
  let globalsWritten = false;
  const writeGlobals = (): void => {
    const body = globals ? Array.from(bytes.subarray(afterCount(bytes, globals), globals.end)) : [];
    out.push(section(SECTION.global, [...encodeU32(globalCount + 1), ...body, ...fuelEntry]));
    globalsWritten = true;
  };
  for (const current of sections) {
    if (!globalsWritten && AFTER_GLOBALS.has(current.id)) writeGlobals();
    if (current.id === SECTION.global) continue;
    if (current.id === SECTION.export) {
      const count = new Reader(bytes, current.start).u32();
      const fuelExport = [...encodeU32(FUEL_EXPORT.length), ...new TextEncoder().encode(FUEL_EXPORT), 0x03, ...encodeU32(fuelGlobal)];
      out.push(section(SECTION.export, [...encodeU32(count + 1), ...Array.from(bytes.subarray(afterCount(bytes, current), current.end)), ...fuelExport]));
    } else if (current.id === SECTION.code) {
      out.push(section(SECTION.code, meterCode(bytes, current, fuelGlobal)));
    } else {
      out.push([current.id, ...encodeU32(current.end - current.start), ...Array.from(bytes.subarray(current.start, current.end))]);
    }
  }
  if (!globalsWritten) writeGlobals();
  return Uint8Array.from(out.flat());
}

function afterCount(bytes: Uint8Array, current: Section): number {
  const reader = new Reader(bytes, current.start);
  reader.u32();
  return reader.pos;
}

function section(id: number, body: number[]): number[] {
  return [id, ...encodeU32(body.length), ...body];
}

interface MeterPoint {
  at: number;
  cost: number;
}

/** The metering snippet: fuel -= cost; if (fuel < 0) unreachable. */
function meterSnippet(fuelGlobal: number, cost: number): number[] {
  const global = encodeU32(fuelGlobal);
  return [0x23, ...global, 0x42, ...encodeS64(BigInt(cost)), 0x7d, 0x24, ...global, 0x23, ...global, 0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b];
}

function meterCode(bytes: Uint8Array, code: Section, fuelGlobal: number): number[] {
  const bodies: number[][] = [];
  walkCode(bytes, code, (localsStart, exprStart, end, points) => {
    const body: number[] = Array.from(bytes.subarray(localsStart, exprStart));
    let from = exprStart;
    for (const point of points) {
      body.push(...Array.from(bytes.subarray(from, point.at)), ...meterSnippet(fuelGlobal, point.cost));
      from = point.at;
    }
    body.push(...Array.from(bytes.subarray(from, end)));
    bodies.push([...encodeU32(body.length), ...body]);
  });
  return [...encodeU32(bodies.length), ...bodies.flat()];
}

/** Walks every function body: checks each instruction and computes its meter points (sorted). */
function walkCode(bytes: Uint8Array, code: Section, onBody: (localsStart: number, exprStart: number, end: number, points: MeterPoint[]) => void): void {
  const reader = new Reader(bytes, code.start);
  const count = reader.u32();
  for (let i = 0; i < count; i += 1) {
    const size = reader.u32();
    const localsStart = reader.pos;
    const end = localsStart + size;
    const groups = reader.u32();
    for (let g = 0; g < groups; g += 1) {
      reader.u32();
      const type = reader.byte();
      if (type === 0x7d || type === 0x7c) throw new WasmFloatError("a function has floating-point locals");
    }
    const exprStart = reader.pos;
    const points: MeterPoint[] = [{ at: exprStart, cost: 0 }];
    /** Per open block: the meter point it charges (loops open their own). */
    const frames: MeterPoint[] = [points[0] as MeterPoint];
    while (frames.length > 0) {
      const op = reader.byte();
      const charged = frames[frames.length - 1] as MeterPoint;
      charged.cost += 1;
      const sub = skipImmediates(reader, op);
      if (isFloatOpcode(op) || (op === 0xfc && sub !== undefined && sub <= 7)) throw new WasmFloatError(`function ${i} uses a floating-point instruction (opcode 0x${op.toString(16)})`);
      if (op === 0x03) {
        const point = { at: reader.pos, cost: 0 };
        points.push(point);
        frames.push(point);
      } else if (op === 0x02 || op === 0x04) frames.push(charged);
      else if (op === 0x0b) frames.pop();
    }
    if (reader.pos !== end) throw new WasmMalformedError(`function ${i}'s body does not end where its size says`);
    onBody(localsStart, exprStart, end, points);
  }
}
