import * as dagCbor from "@ipld/dag-cbor";
import binaryen from "binaryen";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  BadJobCodeError,
  checkJobCode,
  encodeWasmJobCode,
  FuelExhaustedError,
  readCorpus,
  readExampleJob,
  readExampleWasm,
  Sandbox,
  WasmFloatError,
  WasmImportError,
  WasmMalformedError,
  WasmMemoryError,
  WasmStartFunctionError,
  type JobSpec,
} from "../../../node/src/compute/index.js";
import { computeWasm, type WasmComputation } from "./fixtures/wasmInChild.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TSX = join(ROOT, "node_modules/.bin/tsx");
const CHILD = fileURLToPath(new URL("./fixtures/wasmInChild.ts", import.meta.url));

/** A job module in the text format; `body` goes inside (module ...) after the ABI exports. */
function wat(body: string, memory = `(memory (export "memory") 1 16)`, imports = ""): Uint8Array {
  const module = binaryen.parseText(`(module ${imports} ${memory}
    (func (export "alloc") (param i32) (result i32) i32.const 1024)
    (func (export "reduce") (param i32 i32) (result i64) ${NULL_OUTPUT})
    ${body})`);
  const bytes = module.emitBinary();
  module.dispose();
  return bytes;
}

const MAP_OK = `(func (export "map") (param i32 i32 i32 i32) (result i64) i64.const 0)`;
/** Writes dag-cbor null (0xf6) at 2048 and returns (ptr 2048, length 1). */
const NULL_OUTPUT = "(i32.store8 (i32.const 2048) (i32.const 0xf6)) i64.const 8796093022209";

/** A module whose `map` calls a function that recurses `depth` calls deep. */
function recursing(depth: number): Uint8Array {
  return wat(`(func $down (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0)) (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
    (func (export "map") (param i32 i32 i32 i32) (result i64) (drop (call $down (i32.const ${depth}))) ${NULL_OUTPUT})`);
}

const ENDLESS = wat(`(func (export "map") (param i32 i32 i32 i32) (result i64) (loop $l (br $l)) i64.const 0)`);

async function submitCheck(wasm: Uint8Array): Promise<void> {
  const code = await encodeWasmJobCode(wasm);
  const spec: JobSpec = { code: code.cid, inputs: [], params: null, shards: 1, redundancy: 1 };
  checkJobCode(code.value, spec);
}

async function inChild(file: string, limit: number, fuel?: number): Promise<WasmComputation> {
  const { stdout } = await run(TSX, [CHILD, file, String(limit), ...(fuel ? [String(fuel)] : [])], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as WasmComputation;
}

describe("compute: WebAssembly jobs", function () {
  this.timeout(180_000);
  let dir: string;

  before(async function () {
    await run("npm", ["run", "--silent", "build:wasm"], { cwd: ROOT, timeout: 120_000 });
    dir = await mkdtemp(join(tmpdir(), "rings-wasm-"));
  });

  it("refuses at submit a module that imports a host function", async function () {
    const wasm = wat(MAP_OK, undefined, `(import "env" "now" (func $now (result i32)))`);
    await expectRefused(wasm, WasmImportError, /imports env\.now/);
  });

  it("refuses at submit a module with a start function", async function () {
    await expectRefused(wat(`${MAP_OK} (func $init) (start $init)`), WasmStartFunctionError, /start function/);
  });

  it("refuses at submit a memory whose maximum is above the job's memory limit", async function () {
    await expectRefused(wat(MAP_OK, `(memory (export "memory") 1 2048)`), WasmMemoryError, /above the job's limit of 1024 pages/);
  });

  it("refuses at submit a memory that declares no maximum", async function () {
    await expectRefused(wat(MAP_OK, `(memory (export "memory") 1)`), WasmMemoryError, /no maximum/);
  });

  it("refuses at submit a malformed binary", async function () {
    await expectRefused(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0xff]), WasmMalformedError, /does not validate/);
  });

  it("refuses at submit a module that uses floating-point instructions", async function () {
    const wasm = wat(`(func (export "map") (param i32 i32 i32 i32) (result i64) f64.const 1 i64.reinterpret_f64)`);
    await expectRefused(wasm, WasmFloatError, /floating-point/);
  });

  it("finalises an endless loop as FuelExhaustedError, the same in two separate processes", async function () {
    const file = join(dir, "endless.wasm");
    await writeFile(file, ENDLESS);
    const [first, second] = await Promise.all([inChild(file, 0, 200), inChild(file, 0, 200)]);
    expect(first.failure).to.equal("FuelExhaustedError");
    expect(second).to.deep.equal(first);
  });

  it("fails unbounded recursion at the metered stack budget, the same in two separate processes", async function () {
    const file = join(dir, "recursion.wasm");
    await writeFile(file, recursing(10_000_000));
    const [first, second] = await Promise.all([inChild(file, 0), inChild(file, 0)]);
    expect(first.failure).to.equal("JobThrewError");
    expect(first.message).to.match(/nested deeper than the 1048576-slot stack budget/);
    expect(second).to.deep.equal(first);
  });

  it("runs recursion 10,000 calls deep, well inside the stack budget", async function () {
    const outcome = await computeWasm(recursing(10_000), { limit: 0 });
    expect(outcome).to.deep.equal({ bytes: "f6" });
  });

  it("reports an endless loop in the sandbox as FuelExhaustedError, not a timeout", async function () {
    const sandbox = new Sandbox();
    try {
      const failure = await sandbox.run({ source: "", wasm: ENDLESS, entry: "map", args: [[], null, 0, 1], limits: { fuel: 100 } }).catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(FuelExhaustedError);
    } finally {
      await sandbox.close();
    }
  });

  it("fails a module that breaks the rules at load as BadJobCodeError naming the rule", async function () {
    const sandbox = new Sandbox();
    try {
      const wasm = wat(MAP_OK, undefined, `(import "env" "now" (func $now (result i32)))`);
      const failure = await sandbox.run({ source: "", wasm, entry: "map", args: [[], null, 0, 1] }).catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(BadJobCodeError);
      expect((failure as Error).message).to.match(/^WasmImportError: the module imports env\.now/);
    } finally {
      await sandbox.close();
    }
  });

  it("gives the same output bytes for the same input in two separate processes", async function () {
    const file = join(dir, "primes.wasm");
    await writeFile(file, await readExampleWasm("primes"));
    const [first, second] = await Promise.all([inChild(file, 200_000), inChild(file, 200_000)]);
    expect(first.bytes).to.be.a("string").and.have.length.greaterThan(0);
    expect(second).to.deep.equal(first);
  });

  it("computes the AssemblyScript primes job with the JavaScript version's output bytes", async function () {
    const params = { limit: 100_000, block: 3000 };
    const js = await computeJs(await readExampleJob("primes"), params);
    const wasm = await computeWasm(await readExampleWasm("primes"), params);
    expect(wasm.bytes).to.equal(js);
    expect(dagCbor.decode(Buffer.from(js, "hex"))).to.deep.equal({ count: 9592, sum: 454396537, largest: 99991 });
  });

  it("computes the AssemblyScript word count over the corpus with the JavaScript version's output bytes", async function () {
    const texts = await readCorpus();
    const inputs = [...texts.slice(0, 2), { text: texts[2] }, new TextEncoder().encode(texts[3])];
    const js = await outputBytes(await readExampleJob("wordcount"), inputs, { top: 7 }, 3);
    const wasm = await outputBytes(await readExampleWasm("wordcount"), inputs, { top: 7 }, 3);
    expect(wasm).to.equal(js);
    expect(dagCbor.decode<{ top: unknown[] }>(Buffer.from(js, "hex")).top).to.have.length(7);
  });
});

async function outputBytes(code: string | Uint8Array, inputs: unknown[], params: unknown, shards: number): Promise<string> {
  const { compute } = await import("./fixtures/computeInChild.js");
  const { prepareJob } = await import("../../../node/src/compute/index.js");
  return (await compute(await prepareJob(code, inputs, params, { shards, redundancy: 1, limits: { fuel: 100_000 } }))).bytes;
}

async function computeJs(source: string, params: unknown): Promise<string> {
  const { compute } = await import("./fixtures/computeInChild.js");
  const { prepareJob } = await import("../../../node/src/compute/index.js");
  return (await compute(await prepareJob(source, [], params, { shards: 2, redundancy: 1 }))).bytes;
}

async function expectRefused(wasm: Uint8Array, type: new (...args: never[]) => Error, message: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await submitCheck(wasm);
  } catch (error) {
    caught = error;
  }
  expect(caught).to.be.instanceOf(type);
  expect((caught as Error).message).to.match(message);
}
