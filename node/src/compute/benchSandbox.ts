/**
 * Sandbox micro-benchmark (not a test): worker start-up, per-call latency, call throughput, the
 * word-count job and the CPU-bound primes job on 1 and 2 workers.
 *
 *   npx tsx node/src/compute/benchSandbox.ts
 */
import { pathToFileURL } from "node:url";
import { MemoryBlocks } from "./blocks.js";
import { prepareJob, preparePrimesJob, prepareWordcountJob, type PreparedJob } from "./exampleJobs.js";
import { runReference } from "./reference.js";
import { computeShard, loadJob, reduceShards } from "./runner.js";
import { Sandbox } from "./sandbox.js";

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function blocksOf(job: PreparedJob): Promise<MemoryBlocks> {
  const blocks = new MemoryBlocks();
  blocks.add(...job.blocks);
  return Promise.resolve(blocks);
}

export async function benchSandbox(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};

  let start = performance.now();
  const one = new Sandbox({ workers: 1 });
  await one.warm();
  results.workerStartMs = performance.now() - start;

  const trivial = { source: "export const map = (inputs, params, i) => ({ i, n: inputs.length });", entry: "map" };
  for (let i = 0; i < 20; i += 1) await one.run({ ...trivial, args: [[], null, i, 1] });
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < 200; i += 1) {
    start = performance.now();
    await one.run({ ...trivial, args: [[], null, i, 1] });
    latencies.push(performance.now() - start);
    // Idle time between calls, as in a round: the worker prepares the next instance meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  const cpu = process.cpuUsage(cpuBefore);
  results.callLatencyMs = { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  // CPU time (all threads) per call, including preparing the next instance: less sensitive to load.
  results.callCpuMs = (cpu.user + cpu.system) / 1000 / 200;

  const two = new Sandbox({ workers: 2 });
  await two.warm();
  for (const [name, sandbox] of [["1 worker", one], ["2 workers", two]] as const) {
    start = performance.now();
    await Promise.all(Array.from({ length: 200 }, (_, i) => sandbox.run({ ...trivial, args: [[], null, i, 1] })));
    results[`callsPerSec (${name})`] = 200 / ((performance.now() - start) / 1000);
  }

  const wordcount = await prepareWordcountJob({ shards: 4, redundancy: 1 });
  const wordcountJob = await loadJob(wordcount.cid, await blocksOf(wordcount));
  await computeShard(one, wordcountJob, 0);
  start = performance.now();
  const partials = [];
  for (let shard = 0; shard < 4; shard += 1) partials.push(await computeShard(one, wordcountJob, shard));
  const mapMs = performance.now() - start;
  start = performance.now();
  const reduced = await reduceShards(one, wordcountJob, partials.map((partial) => partial.bytes));
  results.wordcount = {
    inputBytes: wordcountJob.inputs.reduce((sum: number, text) => sum + (text as string).length, 0),
    mapAllShardsMs: mapMs,
    reduceMs: performance.now() - start,
    fuelPerShard: partials.map((partial) => partial.fuelUsed),
    outputBytes: reduced.bytes.byteLength,
  };

  const limit = 400_000;
  const primesTimes: { workers: number; seconds: number; fuel: number }[] = [];
  for (const [workers, sandbox] of [[1, one], [2, two]] as const) {
    const primes = await preparePrimesJob({ shards: 2, redundancy: 1, limit, limits: { fuel: 1_000_000 } });
    start = performance.now();
    const result = await runReference(primes.cid, await blocksOf(primes), { sandbox });
    primesTimes.push({ workers, seconds: (performance.now() - start) / 1000, fuel: result.shards.reduce((sum, shard) => sum + shard.fuelUsed, 0) });
  }
  results.primes = { limit, shards: 2, runs: primesTimes, speedup: (primesTimes[0]?.seconds as number) / (primesTimes[1]?.seconds as number) };

  // Fuel rate: ticks per second of pure interpretation.
  const loop = await prepareJob("export const map = () => { let s = 0; for (let i = 0; i < 2e7; i += 1) s = (s + i) | 0; return s; }; export const reduce = (p) => p[0];", [], null, { shards: 1, redundancy: 1, limits: { fuel: 1_000_000 } });
  start = performance.now();
  const looped = await runReference(loop.cid, await blocksOf(loop), { sandbox: one });
  const seconds = (performance.now() - start) / 1000;
  results.fuel = { ticks: looped.shards[0]?.fuelUsed, loopIterations: 2e7, seconds, ticksPerSec: (looped.shards[0]?.fuelUsed as number) / seconds };

  await Promise.all([one.close(), two.close()]);
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchSandbox();
  for (const [key, value] of Object.entries(results)) {
    console.log(`${key}:`, typeof value === "number" ? ms(value).replace(" ms", key.endsWith("Ms") ? " ms" : "") : JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" ? Math.round(v * 100) / 100 : v)));
  }
}
