// Word count: the AssemblyScript twin of examples/jobs/wordcount.js for ASCII texts (inputs are
// text strings, { text } maps or raw bytes; a word is a lower-cased run of ASCII letters and digits
// joined by apostrophes). Same shards, same output bytes. Built by `npm run build:wasm`.
//
// No allocation per word: words are lower-cased into the tail of one byte arena while their hash is
// computed, and looked up in an open-addressing table of entry indices; only a new word keeps its
// bytes (the arena's end moves past them).
import { allocate, Reader, Writer } from "./cbor";

export function alloc(length: usize): usize {
  return allocate(length);
}

/** Per byte: its lower-cased form if it is a word character ([A-Za-z0-9]), else 0. */
const WORD_CHAR = new StaticArray<u8>(256);
for (let c = 48; c <= 57; c++) WORD_CHAR[c] = <u8>c;
for (let c = 97; c <= 122; c++) WORD_CHAR[c] = <u8>c;
for (let c = 65; c <= 90; c++) WORD_CHAR[c] = <u8>(c + 32);

/** Words' bytes, back to back; entry e's word is at arena + starts[e], lengths[e] bytes. */
let arena: usize = heap.alloc(1 << 16);
let arenaCapacity: usize = 1 << 16;
let arenaLength: usize = 0;
let starts = new Array<u32>();
let lengths = new Array<u32>();
let hashes = new Array<u32>();
let totals = new Array<u64>();
/** Open addressing: entry index + 1, or 0 for an empty slot; capacity is a power of two. */
let slots = new StaticArray<u32>(1024);
let mask: u32 = 1023;

/** Room for `length` more bytes at the arena's end. */
function reserve(length: usize): usize {
  if (arenaLength + length > arenaCapacity) {
    while (arenaLength + length > arenaCapacity) arenaCapacity <<= 1;
    arena = heap.realloc(arena, arenaCapacity);
  }
  return arena + arenaLength;
}

function fnv(ptr: usize, length: usize): u32 {
  let hash: u32 = 2166136261;
  for (let i: usize = 0; i < length; i++) hash = (hash ^ <u32>load<u8>(ptr + i)) * 16777619;
  return hash;
}

function grow(): void {
  const capacity = slots.length << 1;
  slots = new StaticArray<u32>(capacity);
  mask = <u32>capacity - 1;
  for (let e = 0; e < hashes.length; e++) {
    let s = unchecked(hashes[e]) & mask;
    while (unchecked(slots[s]) != 0) s = (s + 1) & mask;
    unchecked((slots[s] = <u32>e + 1));
  }
}

/** Adds `amount` to the word of `length` bytes at `ptr` (hash `hash`), keeping its bytes if new. */
function add(ptr: usize, length: usize, hash: u32, amount: u64): void {
  let s = hash & mask;
  for (;;) {
    const slot = unchecked(slots[s]);
    if (slot == 0) break;
    const e = <i32>slot - 1;
    if (unchecked(hashes[e]) == hash && unchecked(lengths[e]) == <u32>length && memory.compare(arena + unchecked(starts[e]), ptr, length) == 0) {
      unchecked((totals[e] += amount));
      return;
    }
    s = (s + 1) & mask;
  }
  const at = reserve(length);
  if (at != ptr) memory.copy(at, ptr, length);
  starts.push(<u32>arenaLength);
  lengths.push(<u32>length);
  hashes.push(hash);
  totals.push(amount);
  arenaLength += length;
  unchecked((slots[s] = <u32>hashes.length));
  if (<u32>hashes.length * 2 > mask) grow();
}

function isSpace(c: u32): bool {
  return c == 32 || (c >= 9 && c <= 13);
}

function boundary(text: usize, length: usize, position: usize): usize {
  let p = position;
  while (p > 0 && p < length && !isSpace(load<u8>(text + p - 1)) && !isSpace(load<u8>(text + p))) p++;
  return p;
}

/** Counts the words of text[start, end); returns how many there were. */
function countSlice(text: usize, start: usize, end: usize): u64 {
  let words: u64 = 0;
  let i = start;
  const table = changetype<usize>(WORD_CHAR);
  while (i < end) {
    if (load<u8>(table + load<u8>(text + i)) == 0) {
      i++;
      continue;
    }
    const from = i;
    for (;;) {
      while (i < end && load<u8>(table + load<u8>(text + i)) != 0) i++;
      if (i + 1 < end && load<u8>(text + i) == 39 && load<u8>(table + load<u8>(text + i + 1)) != 0) i++;
      else break;
    }
    // Lower-case the word into the arena's tail, hashing as it goes (an apostrophe maps to 0 in the table).
    const out = reserve(i - from);
    let hash: u32 = 2166136261;
    for (let k: usize = 0; k < i - from; k++) {
      const c = load<u8>(text + from + k);
      const lowered = c == 39 ? <u8>39 : load<u8>(table + c);
      store<u8>(out + k, lowered);
      hash = (hash ^ <u32>lowered) * 16777619;
    }
    add(out, i - from, hash, 1);
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
  writeCounts(writer, sortedEntries());
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

/** Bytewise order of two entries' words (a prefix first), as JavaScript compares ASCII strings. */
function bytewise(a: i32, b: i32): i32 {
  const la = unchecked(lengths[a]);
  const lb = unchecked(lengths[b]);
  const order = memory.compare(arena + unchecked(starts[a]), arena + unchecked(starts[b]), <usize>(la < lb ? la : lb));
  return order != 0 ? order : <i32>la - <i32>lb;
}

/** dag-cbor map key order: shorter first, then bytewise. */
function canonical(a: i32, b: i32): i32 {
  const la = unchecked(lengths[a]);
  const lb = unchecked(lengths[b]);
  return la != lb ? <i32>la - <i32>lb : memory.compare(arena + unchecked(starts[a]), arena + unchecked(starts[b]), <usize>la);
}

/** Most frequent first, ties by word. */
function byCount(a: i32, b: i32): i32 {
  const ca = unchecked(totals[a]);
  const cb = unchecked(totals[b]);
  if (ca != cb) return ca > cb ? -1 : 1;
  return bytewise(a, b);
}

function sortedEntries(): Array<i32> {
  const entries = new Array<i32>(hashes.length);
  for (let e = 0; e < entries.length; e++) unchecked((entries[e] = e));
  entries.sort(canonical);
  return entries;
}

function writeWord(writer: Writer, e: i32): void {
  writer.textFrom(arena + unchecked(starts[e]), <usize>unchecked(lengths[e]));
}

function writeCounts(writer: Writer, entries: Array<i32>): void {
  writer.head(5, <u64>entries.length);
  for (let i = 0; i < entries.length; i++) {
    writeWord(writer, unchecked(entries[i]));
    writer.uint(unchecked(totals[unchecked(entries[i])]));
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
              const word = reader.pos;
              reader.pos += wordLength;
              add(word, wordLength, fnv(word, wordLength), reader.uint());
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
  const keys = sortedEntries();
  const ranked = keys.slice(0);
  ranked.sort(byCount);
  const shown = <i32>(top < <u64>ranked.length ? top : <u64>ranked.length);
  const writer = new Writer();
  writer.head(5, 4);
  writer.text("top");
  writer.head(4, <u64>shown);
  for (let i = 0; i < shown; i++) {
    writer.head(4, 2);
    writeWord(writer, unchecked(ranked[i]));
    writer.uint(unchecked(totals[unchecked(ranked[i])]));
  }
  writer.text("words");
  writer.uint(words);
  writer.text("counts");
  writeCounts(writer, keys);
  writer.text("distinct");
  writer.uint(<u64>keys.length);
  return writer.finish();
}
