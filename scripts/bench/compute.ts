/**
 * npm run bench:compute — one member's compute speed for the same job three ways: (a) the
 * JavaScript job's `map` called by plain Node.js (the floor), (b) the same JavaScript job in the real
 * sandbox (QuickJS in a worker), (c) the AssemblyScript twin as a WebAssembly job in the real
 * sandbox (metered, fresh instance per call). One shard, medians of RINGS_BENCH_ITERATIONS runs;
 * (b) and (c) check their output bytes against each other.
 *
 * Writes bench-results/compute.json: { jobs: [{ name, nodeMs, quickjsMs, wasmMs }] }.
 *   RINGS_BENCH_PRIMES_LIMIT=3000000 RINGS_BENCH_ITERATIONS=3 npm run bench:compute
 */
import * as dagCbor from "@ipld/dag-cbor";
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { EXAMPLES_DIR, MAX_LIMITS, readCorpus, readExampleJob, readExampleWasm, Sandbox, type ExampleJobName } from "../../node/src/compute/index.js";

const LIMIT = Number(process.env.RINGS_BENCH_PRIMES_LIMIT ?? 3_000_000);
const ITERATIONS = Number(process.env.RINGS_BENCH_ITERATIONS ?? 3);

type MapFn = (inputs: unknown[], params: unknown, shardIndex: number, shardCount: number) => unknown;

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

interface JobTiming {
  name: string;
  nodeMs: number;
  quickjsMs: number;
  wasmMs: number;
}

/** Times one job's map (one shard) three ways; (b) and (c) must give the same bytes. */
async function timeJob(sandbox: Sandbox, job: ExampleJobName, name: string, inputs: unknown[], params: unknown): Promise<JobTiming> {
  const args = [inputs, params, 0, 1];
  const limits = { fuel: MAX_LIMITS.fuel };
  const module = (await import(pathToFileURL(join(EXAMPLES_DIR, "jobs", `${job}.js`)).href)) as { map: MapFn };
  const source = await readExampleJob(job);
  const wasm = await readExampleWasm(job);
  const js = await sandbox.run({ source, entry: "map", args, limits });
  const compiled = await sandbox.run({ source: "", wasm, entry: "map", args, limits });
  if (!js.cid.equals(compiled.cid)) throw new Error(`${name}: outputs differ: ${JSON.stringify(dagCbor.decode(js.bytes))} vs ${JSON.stringify(dagCbor.decode(compiled.bytes))}`);
  const nodeMs = await median(() => Promise.resolve(module.map(inputs, params, 0, 1)));
  const quickjsMs = await median(() => sandbox.run({ source, entry: "map", args, limits }));
  const wasmMs = await median(() => sandbox.run({ source: "", wasm, entry: "map", args, limits }));
  return { name, nodeMs, quickjsMs, wasmMs };
}

async function main(): Promise<void> {
  await promisify(execFile)("npm", ["run", "--silent", "build:wasm"]);
  const sandbox = new Sandbox({ timeoutMs: 300_000 });
  try {
    await sandbox.warm();
    const jobs = [
      await timeJob(sandbox, "primes", `primes below ${LIMIT}`, [], { limit: LIMIT }),
      await timeJob(sandbox, "wordcount", "wordcount (corpus)", await readCorpus(), { top: 20 }),
    ];
    const row = (cells: string[]): string => cells.map((cell) => cell.padStart(14)).join(" ");
    process.stdout.write(`${row(["job", "node ms", "quickjs ms", "wasm ms", "wasm/node", "quickjs/wasm"])}\n`);
    for (const job of jobs) {
      const cells = [job.name, job.nodeMs.toFixed(0), job.quickjsMs.toFixed(0), job.wasmMs.toFixed(0), (job.wasmMs / job.nodeMs).toFixed(2), (job.quickjsMs / job.wasmMs).toFixed(1)];
      process.stdout.write(`${row(cells)}\n`);
    }
    const out = join(process.cwd(), "bench-results", "compute.json");
    await mkdir(join(process.cwd(), "bench-results"), { recursive: true });
    await writeFile(out, `${JSON.stringify({ iterations: ITERATIONS, jobs }, null, 2)}\n`);
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await sandbox.close();
  }
}

await main();
