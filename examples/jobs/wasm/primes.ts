// Prime counting by trial division: the AssemblyScript twin of examples/jobs/primes.js (same
// params, same results, byte for byte). Built by `npm run build:wasm`; ABI in node/src/compute/job.ts.
import { allocate, Reader, Writer } from "./cbor";

export function alloc(length: usize): usize {
  return allocate(length);
}

export function map(ptr: usize, length: usize, shardIndex: u32, shardCount: u32): u64 {
  const reader = new Reader(ptr, ptr + length);
  let limit: u64 = 0;
  let block: u64 = 10000;
  const fields = reader.head();
  for (let i: u64 = 0; i < fields; i++) {
    reader.key();
    if (!reader.is("params")) {
      reader.skip();
      continue;
    }
    const params = reader.head();
    for (let j: u64 = 0; j < params; j++) {
      reader.key();
      if (reader.is("limit")) limit = reader.uint();
      else if (reader.is("block")) block = reader.uint();
      else reader.skip();
    }
  }
  let count: u64 = 0;
  let sum: u64 = 0;
  let largest: u64 = 0;
  for (let start = <u64>shardIndex * block; start < limit; start += <u64>shardCount * block) {
    const end = start + block < limit ? start + block : limit;
    for (let n = start; n < end; n++) {
      if (isPrime(n)) {
        count++;
        sum += n;
        largest = n;
      }
    }
  }
  return result(count, sum, largest);
}

export function reduce(ptr: usize, length: usize): u64 {
  const reader = new Reader(ptr, ptr + length);
  let count: u64 = 0;
  let sum: u64 = 0;
  let largest: u64 = 0;
  const fields = reader.head();
  for (let i: u64 = 0; i < fields; i++) {
    reader.key();
    if (!reader.is("partials")) {
      reader.skip();
      continue;
    }
    const partials = reader.head();
    for (let p: u64 = 0; p < partials; p++) {
      const entries = reader.head();
      for (let e: u64 = 0; e < entries; e++) {
        reader.key();
        const value = reader.uint();
        if (reader.is("count")) count += value;
        else if (reader.is("sum")) sum += value;
        else if (reader.is("largest") && value > largest) largest = value;
      }
    }
  }
  return result(count, sum, largest);
}

function result(count: u64, sum: u64, largest: u64): u64 {
  const writer = new Writer();
  writer.head(5, 3);
  writer.text("sum");
  writer.uint(sum);
  writer.text("count");
  writer.uint(count);
  writer.text("largest");
  writer.uint(largest);
  return writer.finish();
}

function isPrime(n: u64): bool {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  if (n <= <u64>u32.MAX_VALUE) return isPrime32(<u32>n);
  for (let d: u64 = 3; d * d <= n; d += 2) if (n % d == 0) return false;
  return true;
}

// Below 2^32 the trial divisions run in 32 bits: a 32-bit remainder costs a fraction of a 64-bit
// one on x86-64 (as V8 does for the JavaScript job's small integers); the square is taken in 64
// bits so it cannot wrap.
function isPrime32(n: u32): bool {
  for (let d: u32 = 3; <u64>d * <u64>d <= <u64>n; d += 2) if (n % d == 0) return false;
  return true;
}
