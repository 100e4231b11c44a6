/**
 * JavaScript evaluated inside every fresh QuickJS context before the job's module. It
 * - replaces `Math.random` with a seeded sfc32 generator (the seed comes from the host, derived
 *   from the job CID and the call, so every member draws the same numbers);
 * - removes what could differ between members or runs: `Date` (the context is created without it),
 *   `WeakRef`, `FinalizationRegistry` (observe the garbage collector), `Atomics`,
 *   `SharedArrayBuffer`; there are no timers, no network, no filesystem, no module loader;
 * - installs a `console` whose output is collected (capped) and returned for debugging only;
 * - returns the helpers the host uses, kept in a closure so the job cannot reach them: `seed(...)`
 *   sets the generator's state, `decode(json, buffers, strings)` builds the call's arguments and
 *   `encode(value)` serialises the result.
 *
 * Wire format (DAG-JSON-like): a map whose only key is "/" is special. `{"/": "<cid>"}` is a CID
 * link (the job sees and returns links in exactly this form), `{"/": {"bytes": i}}` is the i-th
 * transferred buffer (a `Uint8Array` in the job), `{"/": {"bigint": "<decimal>"}}` is a BigInt, and
 * `{"/": {"string": i}}` the i-th long string passed beside the JSON (cheaper than parsing it).
 */
export const GUEST_PRELUDE = String.raw`(function prelude() {
  "use strict";
  const G = globalThis;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const keysOf = Object.keys;
  const protoOf = Object.getPrototypeOf;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const isArray = Array.isArray;
  const isFiniteNumber = Number.isFinite;
  const ObjectPrototype = Object.prototype;
  const U8 = Uint8Array;
  const BigIntOf = BigInt;
  const StringOf = String;

  let a = 0, b = 0, c = 0, d = 0;
  function seed(seed0, seed1, seed2, seed3) {
    a = seed0 | 0; b = seed1 | 0; c = seed2 | 0; d = seed3 | 0;
    for (let i = 0; i < 15; i++) random();
  }
  function random() {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  defineProperty(Math, "random", { value: random, writable: false, enumerable: false, configurable: false });

  for (const name of ["Date", "WeakRef", "FinalizationRegistry", "Atomics", "SharedArrayBuffer", "setTimeout",
    "setInterval", "clearTimeout", "clearInterval", "queueMicrotask", "fetch", "require", "process", "print",
    "scriptArgs", "std", "os"]) {
    delete G[name];
  }

  const logs = [];
  function describe(value) {
    if (typeof value === "string") return value;
    try { return stringify(value) ?? StringOf(value); } catch (_) { return StringOf(value); }
  }
  function log(...args) {
    if (logs.length < 200) logs.push(args.map(describe).join(" ").slice(0, 2000));
  }
  defineProperty(G, "console", {
    value: freeze({ log, info: log, warn: log, error: log, debug: log }),
    writable: false, enumerable: false, configurable: false,
  });

  function decode(json, buffers, strings) {
    return parse(json, function (_key, value) {
      if (value !== null && typeof value === "object" && !isArray(value)) {
        const keys = keysOf(value);
        if (keys.length === 1 && keys[0] === "/") {
          const special = value["/"];
          if (special !== null && typeof special === "object") {
            if (typeof special.string === "number") return strings[special.string];
            if (typeof special.bytes === "number") return new U8(buffers[special.bytes]);
            if (typeof special.bigint === "string") return BigIntOf(special.bigint);
          }
        }
      }
      return value;
    });
  }

  function encode(value) {
    const buffers = [];
    const json = stringify(value, function (key, v) {
      switch (typeof v) {
        case "string":
        case "boolean":
          return v;
        case "number":
          if (!isFiniteNumber(v)) throw new TypeError("output holds " + v + " at key '" + key + "': not representable in dag-cbor");
          return v;
        case "bigint":
          return { "/": { bigint: v.toString() } };
        case "object": {
          if (v === null || isArray(v)) return v;
          if (v instanceof U8) {
            buffers.push(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
            return { "/": { bytes: buffers.length - 1 } };
          }
          const proto = protoOf(v);
          if (proto !== ObjectPrototype && proto !== null) {
            throw new TypeError("output holds a non-plain object at key '" + key + "' (only plain objects, arrays, strings, numbers, booleans, null, BigInt, Uint8Array and {'/': cid} links)");
          }
          const keys = keysOf(v);
          if (keys.length === 1 && keys[0] === "/" && typeof v["/"] !== "string") {
            throw new TypeError("output map at key '" + key + "' has only the key '/', which is reserved for links {'/': cid}");
          }
          return v;
        }
        default:
          throw new TypeError("output holds " + typeof v + " at key '" + key + "': not representable in dag-cbor");
      }
    });
    return [json, buffers];
  }

  return { decode, encode, logs, seed };
})`;
