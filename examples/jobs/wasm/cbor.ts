// The dag-cbor subset the AssemblyScript example jobs need: reading maps, arrays, unsigned
// integers, text and bytes (skipping anything else), and writing canonical unsigned integers,
// text, arrays and maps (the writer puts map keys in dag-cbor order: shorter first, then bytewise).

export class Reader {
  pos: usize;
  constructor(public start: usize, public end: usize) {
    this.pos = start;
  }

  peekMajor(): u32 {
    return (<u32>load<u8>(this.pos)) >> 5;
  }

  /** Reads a head: returns its argument; the major type is in `major`. */
  major: u32 = 0;
  head(): u64 {
    const first = <u32>load<u8>(this.pos++);
    this.major = first >> 5;
    const info = first & 31;
    if (info < 24) return <u64>info;
    let n: i32 = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (n == 0) unreachable();
    let value: u64 = 0;
    for (let i = 0; i < n; i++) value = (value << 8) | <u64>load<u8>(this.pos++);
    return value;
  }

  uint(): u64 {
    const value = this.head();
    if (this.major != 0) unreachable();
    return value;
  }

  /** Reads a text or byte string head and returns its length; the bytes start at `pos`. */
  stringLength(): usize {
    const length = <usize>this.head();
    if (this.major != 2 && this.major != 3) unreachable();
    return length;
  }

  /** The last text read by `key()`. */
  keyStart: usize = 0;
  keyLength: usize = 0;

  /** Reads a map key (a text string); compare it with `is`. */
  key(): void {
    this.keyLength = this.stringLength();
    this.keyStart = this.pos;
    this.pos += this.keyLength;
  }

  /** Whether the last key read equals an ASCII name. */
  is(expected: string): bool {
    if (<i32>this.keyLength != expected.length) return false;
    for (let i = 0; i < expected.length; i++) if (<i32>load<u8>(this.keyStart + i) != expected.charCodeAt(i)) return false;
    return true;
  }

  skip(): void {
    const value = this.head();
    const major = this.major;
    if (major == 2 || major == 3) this.pos += <usize>value;
    else if (major == 4) for (let i: u64 = 0; i < value; i++) this.skip();
    else if (major == 5) for (let i: u64 = 0; i < value * 2; i++) this.skip();
    else if (major == 6) this.skip();
  }
}

export class Writer {
  buffer: Array<u8> = new Array<u8>();

  head(major: u32, value: u64): void {
    const m = <u8>(major << 5);
    if (value < 24) this.buffer.push(m | <u8>value);
    else if (value < 0x100) this.bytes(m | 24, value, 1);
    else if (value < 0x10000) this.bytes(m | 25, value, 2);
    else if (value < 0x100000000) this.bytes(m | 26, value, 4);
    else this.bytes(m | 27, value, 8);
  }

  private bytes(first: u8, value: u64, n: i32): void {
    this.buffer.push(first);
    for (let i = n - 1; i >= 0; i--) this.buffer.push(<u8>(value >> (<u64>(i * 8))));
  }

  uint(value: u64): void {
    this.head(0, value);
  }

  /** An ASCII text string. */
  text(value: string): void {
    this.head(3, <u64>value.length);
    for (let i = 0; i < value.length; i++) this.buffer.push(<u8>value.charCodeAt(i));
  }

  /** A text string copied from memory (already UTF-8). */
  textFrom(ptr: usize, length: usize): void {
    this.head(3, <u64>length);
    for (let i: usize = 0; i < length; i++) this.buffer.push(load<u8>(ptr + i));
  }

  /** The output in the ABI's form: (ptr << 32) | len. */
  finish(): u64 {
    return (<u64>this.buffer.dataStart << 32) | <u64>this.buffer.length;
  }
}

/** The ABI's allocator: room for the host to write the input. */
export function allocate(length: usize): usize {
  return heap.alloc(length);
}
