/**
 * Reading a WebAssembly binary: sections, LEB128 numbers and the length of every instruction, as
 * far as wasmModule.ts needs them to check a job module and to meter it. Only the instruction set
 * a job may use is known here (MVP, sign extension, bulk memory, reference types); anything else
 * (SIMD, threads, exceptions, GC) is an unknown opcode and the module is refused.
 */
import { WasmFeatureError, WasmMalformedError } from "./errors.js";

export interface Section {
  id: number;
  /** Offset of the section's content (after id and size) and its end. */
  start: number;
  end: number;
}

export class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
  ) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new WasmMalformedError("unexpected end of the module");
    return this.bytes[this.pos++] as number;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new WasmMalformedError("LEB128 number too long");
    }
  }

  /** Skips a signed LEB128 of any width. */
  skipLeb(): void {
    for (let i = 0; i < 10; i += 1) if ((this.byte() & 0x80) === 0) return;
    throw new WasmMalformedError("LEB128 number too long");
  }

  skip(count: number): void {
    this.pos += count;
    if (this.pos > this.bytes.length) throw new WasmMalformedError("unexpected end of the module");
  }

  name(): string {
    const length = this.u32();
    const start = this.pos;
    this.skip(length);
    return new TextDecoder().decode(this.bytes.subarray(start, this.pos));
  }
}

export function readSections(bytes: Uint8Array): Section[] {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new WasmMalformedError("not a WebAssembly 1.0 binary (bad magic or version)");
  const reader = new Reader(bytes, 8);
  const sections: Section[] = [];
  while (reader.pos < bytes.length) {
    const id = reader.byte();
    const size = reader.u32();
    const start = reader.pos;
    reader.skip(size);
    sections.push({ id, start, end: reader.pos });
  }
  return sections;
}

export function encodeU32(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let b = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) b |= 0x80;
    out.push(b);
  } while (rest !== 0);
  return out;
}

export function encodeS64(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  for (;;) {
    const b = Number(rest & 0x7fn);
    rest >>= 7n;
    if ((rest === 0n && (b & 0x40) === 0) || (rest === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Opcodes that read or write floating-point values (see wasmModule.ts's float rule). */
export function isFloatOpcode(op: number): boolean {
  return (
    op === 0x2a || op === 0x2b || op === 0x38 || op === 0x39 || op === 0x43 || op === 0x44 ||
    (op >= 0x5b && op <= 0x66) || (op >= 0x8b && op <= 0xa6) ||
    (op >= 0xa8 && op <= 0xab) || (op >= 0xae && op <= 0xbf)
  );
}

const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f, 0x40]);

/** Reads one instruction's immediates (the opcode already read); returns the 0xFC sub-opcode if any. */
export function skipImmediates(reader: Reader, op: number): number | undefined {
  if (op === 0x02 || op === 0x03 || op === 0x04) {
    if (VALTYPES.has(reader.bytes[reader.pos] as number)) reader.skip(1);
    else reader.skipLeb();
  } else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) {
    reader.u32();
  } else if (op === 0x0e) {
    const count = reader.u32();
    for (let i = 0; i <= count; i += 1) reader.u32();
  } else if (op === 0x11) {
    reader.u32();
    reader.u32();
  } else if (op === 0x1c) {
    reader.skip(reader.u32());
  } else if (op >= 0x28 && op <= 0x3e) {
    reader.u32();
    reader.u32();
  } else if (op === 0x3f || op === 0x40 || op === 0xd0) {
    reader.skip(1);
  } else if (op === 0x41 || op === 0x42) {
    reader.skipLeb();
  } else if (op === 0x43) {
    reader.skip(4);
  } else if (op === 0x44) {
    reader.skip(8);
  } else if (op === 0xfc) {
    return skipPrefixed(reader);
  } else if (!(op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1)) {
    throw new WasmFeatureError(`opcode 0x${op.toString(16)} is outside the instruction set jobs may use`);
  }
  return undefined;
}

function skipPrefixed(reader: Reader): number {
  const sub = reader.u32();
  if (sub <= 7) return sub; // trunc_sat: float, refused by the caller
  if (sub === 8) {
    reader.u32();
    reader.skip(1);
  } else if (sub === 10) reader.skip(2);
  else if (sub === 11) reader.skip(1);
  else if (sub === 12 || sub === 14) {
    reader.u32();
    reader.u32();
  } else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) reader.u32();
  else throw new WasmFeatureError(`opcode 0xfc ${sub} is outside the instruction set jobs may use`);
  return sub;
}
