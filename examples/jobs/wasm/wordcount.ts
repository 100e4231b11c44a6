// Word count: the AssemblyScript twin of examples/jobs/wordcount.js for ASCII texts (inputs are
// text strings, { text } maps or raw bytes; a word is a lower-cased run of ASCII letters and digits
// joined by apostrophes). Same shards, same output bytes. Built by `npm run build:wasm`.
import { allocate, Reader, Writer } from "./cbor";

export function alloc(length: usize): usize {
  return allocate(length);
}

let counts = new Map<string, u64>();

function isSpace(c: u32): bool {
  return c == 32 || (c >= 9 && c <= 13);
}

function isWordChar(c: u32): bool {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

function lower(c: u32): u32 {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function boundary(text: usize, length: usize, position: usize): usize {
  let p = position;
  while (p > 0 && p < length && !isSpace(load<u8>(text + p - 1)) && !isSpace(load<u8>(text + p))) p++;
  return p;
}

function countSlice(text: usize, start: usize, end: usize): u64 {
  let words: u64 = 0;
  let i = start;
  while (i < end) {
    if (!isWordChar(lower(load<u8>(text + i)))) {
      i++;
      continue;
    }
    const from = i;
    for (;;) {
      while (i < end && isWordChar(lower(load<u8>(text + i)))) i++;
      if (i + 1 < end && load<u8>(text + i) == 39 && isWordChar(lower(load<u8>(text + i + 1)))) i++;
      else break;
    }
    const codes = new Array<i32>(<i32>(i - from));
    for (let k = from; k < i; k++) codes[<i32>(k - from)] = <i32>lower(load<u8>(text + k));
    const word = String.fromCharCodes(codes);
    counts.set(word, counts.has(word) ? counts.get(word) + 1 : 1);
    words++;
  }
  return words;
}

export function map(ptr: usize, length: usize, shardIndex: u32, shardCount: u32): u64 {
  const reader = new Reader(ptr, ptr + length);
  let words: u64 = 0;
  const fields = reader.head();
  for (let f: u64 = 0; f < fields; f++) {
    reader.key();
    if (!reader.is("inputs")) {
      reader.skip();
      continue;
    }
    const inputs = reader.head();
    for (let n: u64 = 0; n < inputs; n++) {
      if (reader.peekMajor() == 5) {
        const entries = reader.head();
        for (let e: u64 = 0; e < entries; e++) {
          reader.key();
          if (reader.is("text")) words += countInput(reader, shardIndex, shardCount);
          else reader.skip();
        }
      } else words += countInput(reader, shardIndex, shardCount);
    }
  }
  const writer = new Writer();
  writer.head(5, 2);
  writer.text("words");
  writer.uint(words);
  writer.text("counts");
  writeCounts(writer, sortedKeys());
  return writer.finish();
}

function countInput(reader: Reader, shardIndex: u32, shardCount: u32): u64 {
  const length = reader.stringLength();
  const text = reader.pos;
  reader.pos += length;
  const start = boundary(text, length, <usize>((<u64>length * shardIndex) / shardCount));
  const end = boundary(text, length, <usize>((<u64>length * (shardIndex + 1)) / shardCount));
  return countSlice(text, start, end);
}

/** dag-cbor map key order: shorter first, then bytewise. */
function canonical(a: string, b: string): i32 {
  if (a.length != b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function byCount(a: string, b: string): i32 {
  const ca = counts.get(a);
  const cb = counts.get(b);
  if (ca != cb) return ca > cb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(): Array<string> {
  const keys = counts.keys();
  keys.sort(canonical);
  return keys;
}

function writeCounts(writer: Writer, keys: Array<string>): void {
  writer.head(5, <u64>keys.length);
  for (let i = 0; i < keys.length; i++) {
    writer.text(keys[i]);
    writer.uint(counts.get(keys[i]));
  }
}

export function reduce(ptr: usize, length: usize): u64 {
  const reader = new Reader(ptr, ptr + length);
  let words: u64 = 0;
  let top: u64 = 20;
  const fields = reader.head();
  for (let f: u64 = 0; f < fields; f++) {
    reader.key();
    if (reader.is("partials")) {
      const partials = reader.head();
      for (let p: u64 = 0; p < partials; p++) {
        const entries = reader.head();
        for (let e: u64 = 0; e < entries; e++) {
          reader.key();
          if (reader.is("words")) words += reader.uint();
          else if (reader.is("counts")) {
            const n = reader.head();
            for (let w: u64 = 0; w < n; w++) {
              const wordLength = reader.stringLength();
              const codes = new Array<i32>(<i32>wordLength);
              for (let k: usize = 0; k < wordLength; k++) codes[<i32>k] = <i32>load<u8>(reader.pos + k);
              reader.pos += wordLength;
              const word = String.fromCharCodes(codes);
              const value = reader.uint();
              counts.set(word, counts.has(word) ? counts.get(word) + value : value);
            }
          } else reader.skip();
        }
      }
    } else if (reader.is("params") && reader.peekMajor() == 5) {
      const params = reader.head();
      for (let q: u64 = 0; q < params; q++) {
        reader.key();
        if (reader.is("top") && reader.peekMajor() == 0) top = reader.uint();
        else reader.skip();
      }
    } else reader.skip();
  }
  const keys = sortedKeys();
  const ranked = keys.slice(0);
  ranked.sort(byCount);
  const shown = <i32>(top < <u64>ranked.length ? top : <u64>ranked.length);
  const writer = new Writer();
  writer.head(5, 4);
  writer.text("top");
  writer.head(4, <u64>shown);
  for (let i = 0; i < shown; i++) {
    writer.head(4, 2);
    writer.text(ranked[i]);
    writer.uint(counts.get(ranked[i]));
  }
  writer.text("words");
  writer.uint(words);
  writer.text("counts");
  writeCounts(writer, keys);
  writer.text("distinct");
  writer.uint(<u64>keys.length);
  return writer.finish();
}
