/**
 * Metering a checked job module (the rules are in wasmModule.ts): fuel and stack, both counted by
 * the module itself so that running out is the same instruction on every member.
 *
 * **Fuel**: a mutable i64 global, exported as `FUEL_EXPORT`; at every function entry and loop
 * header a static cost is subtracted — the number of instructions in that function body or loop
 * body outside nested loops — trapping with `unreachable` once the global is below zero. The host
 * sets the global to the call's fuel before the call. (Bulk `memory.fill`/`memory.copy` count as
 * one instruction; their work is bounded by the memory cap.)
 *
 * **Stack**: how deep a module may recurse must not depend on the engine's frame sizes (V8's
 * stack overflow is a RangeError at a depth no other engine, or V8 version, shares). A second
 * mutable i64 global, exported as `STACK_EXPORT`, counts the stack slots in use: around every
 * `call` the caller adds the callee's frame weight before and subtracts it after, trapping once the
 * count passes `WASM_STACK_SLOTS`. A frame's weight is an upper bound of what it can hold:
 * `FRAME_BASE_SLOTS` + params + locals + 2 x its instructions (no frame's operand stack can be
 * deeper than its instruction count, and a call pushes at most its results). `call_indirect` is
 * charged the heaviest function's weight. The host-called entry frame is not counted; the worker's
 * V8 stack (64 MiB, sandbox.ts) is 8 times the budget's 8 MiB of 8-byte slots.
 */
import { WasmFloatError, WasmMalformedError } from "./errors.js";
import { encodeS64, encodeU32, isFloatOpcode, Reader, readSections, skipImmediates, type Section } from "./wasmBinary.js";

/** Name of the fuel global the metering adds. */
export const FUEL_EXPORT = "__ring_fuel";
/** Name of the stack-slot global the metering adds. */
export const STACK_EXPORT = "__ring_stack";
/** Stack slots (8 bytes each: 8 MiB) the nested frames of one call may hold. */
export const WASM_STACK_SLOTS = 1_048_576;
/** Slots charged per frame for what the engine keeps beside its values (return address, frame pointer, instance). */
export const FRAME_BASE_SLOTS = 16;

export const SECTION = { type: 1, import: 2, function: 3, memory: 5, global: 6, export: 7, start: 8, code: 10 } as const;
/** Sections that must come after the global section (export, start, element, data count, code, data). */
const AFTER_GLOBALS = new Set([6, 7, 8, 9, 10, 11, 12]);

interface MeterPoint {
  at: number;
  cost: number;
}

interface CallSite {
  /** Offset of the call opcode and of the instruction after it. */
  at: number;
  after: number;
  /** The direct callee's function index; null for call_indirect. */
  callee: number | null;
}

export interface FunctionBody {
  index: number;
  localsStart: number;
  exprStart: number;
  end: number;
  locals: number;
  instructions: number;
  points: MeterPoint[];
  calls: CallSite[];
}

/** A metered copy of a checked module (see the header). */
export function meterModule(bytes: Uint8Array): Uint8Array {
  const sections = readSections(bytes);
  const globals = sections.find((section) => section.id === SECTION.global);
  const globalCount = globals ? new Reader(bytes, globals.start).u32() : 0;
  // two mutable i64 = 0, appended after the module's own globals (there are no imported ones)
  const fuelGlobal = globalCount;
  const stackGlobal = globalCount + 1;
  const zeroI64 = [0x7e, 0x01, 0x42, 0x00, 0x0b];
  const out: number[][] = [Array.from(bytes.subarray(0, 8))];
  let globalsWritten = false;
  const writeGlobals = (): void => {
    const body = globals ? Array.from(bytes.subarray(afterCount(bytes, globals), globals.end)) : [];
    out.push(section(SECTION.global, [...encodeU32(globalCount + 2), ...body, ...zeroI64, ...zeroI64]));
    globalsWritten = true;
  };
  for (const current of sections) {
    if (!globalsWritten && AFTER_GLOBALS.has(current.id)) writeGlobals();
    if (current.id === SECTION.global) continue;
    if (current.id === SECTION.export) {
      const count = new Reader(bytes, current.start).u32();
      const added = [...exportGlobal(FUEL_EXPORT, fuelGlobal), ...exportGlobal(STACK_EXPORT, stackGlobal)];
      out.push(section(SECTION.export, [...encodeU32(count + 2), ...Array.from(bytes.subarray(afterCount(bytes, current), current.end)), ...added]));
    } else if (current.id === SECTION.code) {
      out.push(section(SECTION.code, meterCode(bytes, sections, current, fuelGlobal, stackGlobal)));
    } else {
      out.push([current.id, ...encodeU32(current.end - current.start), ...Array.from(bytes.subarray(current.start, current.end))]);
    }
  }
  if (!globalsWritten) writeGlobals();
  return Uint8Array.from(out.flat());
}

function exportGlobal(name: string, index: number): number[] {
  return [...encodeU32(name.length), ...new TextEncoder().encode(name), 0x03, ...encodeU32(index)];
}

function afterCount(bytes: Uint8Array, current: Section): number {
  const reader = new Reader(bytes, current.start);
  reader.u32();
  return reader.pos;
}

function section(id: number, body: number[]): number[] {
  return [id, ...encodeU32(body.length), ...body];
}

/** fuel -= cost; if (fuel < 0) unreachable. */
function fuelSnippet(fuelGlobal: number, cost: number): number[] {
  const global = encodeU32(fuelGlobal);
  return [0x23, ...global, 0x42, ...encodeS64(BigInt(cost)), 0x7d, 0x24, ...global, 0x23, ...global, 0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b];
}

/** stack += weight; if (stack > WASM_STACK_SLOTS) unreachable. */
function stackEnterSnippet(stackGlobal: number, weight: number): number[] {
  const global = encodeU32(stackGlobal);
  return [0x23, ...global, 0x42, ...encodeS64(BigInt(weight)), 0x7c, 0x24, ...global, 0x23, ...global, 0x42, ...encodeS64(BigInt(WASM_STACK_SLOTS)), 0x55, 0x04, 0x40, 0x00, 0x0b];
}

/** stack -= weight. */
function stackLeaveSnippet(stackGlobal: number, weight: number): number[] {
  const global = encodeU32(stackGlobal);
  return [0x23, ...global, 0x42, ...encodeS64(BigInt(weight)), 0x7d, 0x24, ...global];
}

/** Parameter count of every function, by function index (the module imports nothing). */
function paramCounts(bytes: Uint8Array, sections: Section[]): number[] {
  const types: number[] = [];
  const typeSection = sections.find((s) => s.id === SECTION.type);
  if (typeSection) {
    const reader = new Reader(bytes, typeSection.start);
    const count = reader.u32();
    for (let i = 0; i < count; i += 1) {
      if (reader.byte() !== 0x60) throw new WasmMalformedError("a type is not a function type");
      const params = reader.u32();
      reader.skip(params);
      reader.skip(reader.u32());
      types.push(params);
    }
  }
  const functionSection = sections.find((s) => s.id === SECTION.function);
  if (!functionSection) return [];
  const reader = new Reader(bytes, functionSection.start);
  const count = reader.u32();
  return Array.from({ length: count }, () => types[reader.u32()] ?? 0);
}

function meterCode(bytes: Uint8Array, sections: Section[], code: Section, fuelGlobal: number, stackGlobal: number): number[] {
  const functions: FunctionBody[] = [];
  walkCode(bytes, code, (body) => functions.push(body));
  const params = paramCounts(bytes, sections);
  const weights = functions.map((f) => FRAME_BASE_SLOTS + (params[f.index] ?? 0) + f.locals + 2 * f.instructions);
  const heaviest = Math.max(FRAME_BASE_SLOTS, ...weights);
  const bodies = functions.map((f) => {
    const inserts: Array<{ at: number; bytes: number[] }> = f.points.map((point) => ({ at: point.at, bytes: fuelSnippet(fuelGlobal, point.cost) }));
    for (const call of f.calls) {
      const weight = call.callee === null ? heaviest : (weights[call.callee] ?? heaviest);
      inserts.push({ at: call.at, bytes: stackEnterSnippet(stackGlobal, weight) }, { at: call.after, bytes: stackLeaveSnippet(stackGlobal, weight) });
    }
    inserts.sort((a, b) => a.at - b.at); // stable: a loop's fuel charge stays before a call right after it
    const body: number[] = Array.from(bytes.subarray(f.localsStart, f.exprStart));
    let from = f.exprStart;
    for (const insert of inserts) {
      body.push(...Array.from(bytes.subarray(from, insert.at)), ...insert.bytes);
      from = insert.at;
    }
    body.push(...Array.from(bytes.subarray(from, f.end)));
    return [...encodeU32(body.length), ...body];
  });
  return [...encodeU32(bodies.length), ...bodies.flat()];
}

/** Walks every function body: checks each instruction and finds its meter points (sorted) and call sites. */
export function walkCode(bytes: Uint8Array, code: Section, onBody: (body: FunctionBody) => void): void {
  const reader = new Reader(bytes, code.start);
  const count = reader.u32();
  for (let i = 0; i < count; i += 1) {
    const size = reader.u32();
    const localsStart = reader.pos;
    const end = localsStart + size;
    const groups = reader.u32();
    let locals = 0;
    for (let g = 0; g < groups; g += 1) {
      locals += reader.u32();
      const type = reader.byte();
      if (type === 0x7d || type === 0x7c) throw new WasmFloatError("a function has floating-point locals");
    }
    const exprStart = reader.pos;
    const points: MeterPoint[] = [{ at: exprStart, cost: 0 }];
    const calls: CallSite[] = [];
    let instructions = 0;
    /** Per open block: the meter point it charges (loops open their own). */
    const frames: MeterPoint[] = [points[0] as MeterPoint];
    while (frames.length > 0) {
      const at = reader.pos;
      const op = reader.byte();
      const charged = frames[frames.length - 1] as MeterPoint;
      charged.cost += 1;
      instructions += 1;
      const callee = op === 0x10 ? new Reader(bytes, reader.pos).u32() : null;
      const sub = skipImmediates(reader, op);
      if (isFloatOpcode(op) || (op === 0xfc && sub !== undefined && sub <= 7)) throw new WasmFloatError(`function ${i} uses a floating-point instruction (opcode 0x${op.toString(16)})`);
      if (op === 0x10 || op === 0x11) calls.push({ at, after: reader.pos, callee });
      if (op === 0x03) {
        const point = { at: reader.pos, cost: 0 };
        points.push(point);
        frames.push(point);
      } else if (op === 0x02 || op === 0x04) frames.push(charged);
      else if (op === 0x0b) frames.pop();
    }
    if (reader.pos !== end) throw new WasmMalformedError(`function ${i}'s body does not end where its size says`);
    onBody({ index: i, localsStart, exprStart, end, locals, instructions, points, calls });
  }
}
