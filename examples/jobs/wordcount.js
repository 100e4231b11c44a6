// Word count, as a Rings job (an ES module run in the deterministic QuickJS sandbox).
//
// inputs: texts — strings, { text } maps, or raw UTF-8 bytes (one per input block).
// map(inputs, params, shardIndex, shardCount): shard i counts the words that start in the i-th
//   of shardCount equal character ranges of every input (range ends move forward to the next
//   whitespace, so no word is cut in two). Result: { words, counts: { word: n } }.
// reduce(partials, params): merges the shards' counts into
//   { words, distinct, counts, top } where top lists the params.top (default 20) most frequent
//   words as [word, count], ties by word.
//
// A word is a lower-cased run of ASCII letters and digits, possibly joined by apostrophes
// ("don't", "ring's"): /[a-z0-9]+(?:'[a-z0-9]+)*/g over the lower-cased text.

const WORD = /[a-z0-9]+(?:'[a-z0-9]+)*/g;
const SPACE = /\s/;

export function map(inputs, params, shardIndex, shardCount) {
  const counts = new Map();
  let words = 0;
  for (const input of inputs) {
    const text = textOf(input);
    const start = boundary(text, Math.floor((text.length * shardIndex) / shardCount));
    const end = boundary(text, Math.floor((text.length * (shardIndex + 1)) / shardCount));
    const slice = text.slice(start, end).toLowerCase();
    for (const match of slice.matchAll(WORD)) {
      const word = match[0];
      counts.set(word, (counts.get(word) ?? 0) + 1);
      words += 1;
    }
  }
  return { words, counts: Object.fromEntries(counts) };
}

export function reduce(partials, params) {
  const counts = new Map();
  let words = 0;
  for (const partial of partials) {
    words += partial.words;
    for (const [word, n] of Object.entries(partial.counts)) counts.set(word, (counts.get(word) ?? 0) + n);
  }
  const topCount = params !== null && typeof params === "object" && Number.isInteger(params.top) ? params.top : 20;
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, topCount);
  return { words, distinct: counts.size, counts: Object.fromEntries(counts), top };
}

// Moves a cut position forward while it sits inside a run of non-whitespace characters.
function boundary(text, position) {
  let p = position;
  while (p > 0 && p < text.length && !SPACE.test(text[p - 1]) && !SPACE.test(text[p])) p += 1;
  return p;
}

function textOf(input) {
  if (typeof input === "string") return input;
  if (input instanceof Uint8Array) return utf8(input);
  if (input !== null && typeof input === "object" && typeof input.text === "string") return input.text;
  throw new TypeError("wordcount inputs must be strings, { text } maps or UTF-8 bytes");
}

function utf8(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let code;
    let size;
    if (b < 0x80) [code, size] = [b, 1];
    else if (b >= 0xc0 && b < 0xe0) [code, size] = [b & 0x1f, 2];
    else if (b >= 0xe0 && b < 0xf0) [code, size] = [b & 0x0f, 3];
    else if (b >= 0xf0 && b < 0xf8) [code, size] = [b & 0x07, 4];
    else [code, size] = [0xfffd, 1];
    for (let k = 1; k < size; k += 1) code = (code << 6) | ((bytes[i + k] ?? 0) & 0x3f);
    out += String.fromCodePoint(code);
    i += size;
  }
  return out;
}
