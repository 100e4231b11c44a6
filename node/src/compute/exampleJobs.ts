/**
 * The example jobs shipped in the repository (examples/jobs/*.js, examples/data/corpus/*.txt) as
 * ready-to-submit blocks: tests, benchmarks and the demo build their jobs here.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CID } from "multiformats/cid";
import { checkJobCode, encodeData, encodeJobCode, encodeJobSpec, encodeWasmJobCode, type JobSpec } from "./job.js";
import type { SandboxLimits } from "./limits.js";

export const EXAMPLES_DIR = fileURLToPath(new URL("../../../examples/", import.meta.url));

export type ExampleJobName = "wordcount" | "primes";

/** A job with every block it needs: code, inputs and the spec (last). */
export interface PreparedJob {
  cid: CID;
  spec: JobSpec;
  /** The JavaScript source ("" for a WebAssembly job). */
  source: string;
  blocks: { cid: CID; bytes: Uint8Array }[];
}

export interface JobOptions {
  shards: number;
  redundancy: number;
  limits?: Partial<SandboxLimits>;
}

/** Where `npm run build:wasm` writes the AssemblyScript examples (examples/jobs/wasm/*.ts). */
export const WASM_BUILD_DIR = join(EXAMPLES_DIR, "jobs", "wasm", "build");

export async function readExampleWasm(name: ExampleJobName): Promise<Uint8Array> {
  return new Uint8Array(await readFile(join(WASM_BUILD_DIR, `${name}.wasm`)));
}

export function readExampleJob(name: ExampleJobName): Promise<string> {
  return readFile(join(EXAMPLES_DIR, "jobs", `${name}.js`), "utf8");
}

/** The generated word-count text "The Ring Keepers", one string per chapter, in order. */
export async function readCorpus(): Promise<string[]> {
  const dir = join(EXAMPLES_DIR, "data", "corpus");
  const files = (await readdir(dir)).filter((name) => name.endsWith(".txt")).sort();
  return Promise.all(files.map((name) => readFile(join(dir, name), "utf8")));
}

/** Encodes code, inputs (each a dag-cbor block) and spec. */
export async function prepareJob(source: string | Uint8Array, inputs: unknown[], params: unknown, options: JobOptions): Promise<PreparedJob> {
  const code = typeof source === "string" ? await encodeJobCode(source) : await encodeWasmJobCode(source);
  const inputBlocks = await Promise.all(inputs.map((input) => encodeData(input)));
  const spec: JobSpec = { code: code.cid, inputs: inputBlocks.map((block) => block.cid), params, shards: options.shards, redundancy: options.redundancy };
  if (options.limits) spec.limits = options.limits;
  const specBlock = await encodeJobSpec(spec);
  checkJobCode(code.value, specBlock.value);
  return { cid: specBlock.cid, spec: specBlock.value, source: typeof source === "string" ? source : "", blocks: [code, ...inputBlocks, specBlock] };
}

/** Word count over the shipped corpus (or the given texts); `top` most frequent words listed. */
export async function prepareWordcountJob(options: JobOptions & { texts?: string[]; top?: number }): Promise<PreparedJob> {
  const texts = options.texts ?? (await readCorpus());
  return prepareJob(await readExampleJob("wordcount"), texts, { top: options.top ?? 20 }, options);
}

/** Primes below `limit` by trial division: the CPU-bound benchmark job. */
export async function preparePrimesJob(options: JobOptions & { limit: number }): Promise<PreparedJob> {
  return prepareJob(await readExampleJob("primes"), [], { limit: options.limit }, options);
}
