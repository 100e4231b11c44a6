/**
 * `npm run bench:rounds`: the rounds' speed on this machine, with real `ring-node` processes on
 * loopback and `hardhat node` (automine) over JSON-RPC.
 *
 * 1. Round latency: 100 rounds one after the other on a ring of 4, each finalising one small job.
 *    A round's latency is from the relayer starting it (reduce, proposal, votes) until its flush is
 *    mined, read from the members' round traces; the job latency (SubmitJob until finalised, which
 *    adds submission, replication and the map) is reported beside it.
 * 2. Throughput: 20 clients submit small jobs concurrently for a while; jobs finalised per minute.
 * 3. Map-reduce speedup: a CPU-bound job (examples/jobs/primes.js) on rings of N = 1 and 2 members
 *    (BENCH_SPEEDUP_N=1,2,3,... up to 5 for bigger machines), seconds from submission to finalised.
 *
 * The floor (floors.ts), measured in the same run with the ring up and idle: one signed transaction's
 * send + mine + receipt on the same `hardhat node` (median of BENCH_FLOOR_SAMPLES, 100) plus one
 * libp2p request/response between two member-built nodes (median of as many).
 *
 * Prints a table and writes bench-results/rounds.json:
 *   { "rounds", "p50Ms", "p99Ms", "floorMs", "txFloorMs", "p2pFloorMs", "p50OverFloor", "p99OverFloor",
 *     "jobsPerMin", "speedup": [ { "n", "seconds" } ], "jobLatency", "loadAverage" }
 * Environment: BENCH_ROUNDS (default 100), BENCH_CONCURRENCY (20), BENCH_THROUGHPUT_SECONDS (30),
 * BENCH_SPEEDUP_N ("1,2"), BENCH_PRIMES_LIMIT (CPU work of the speedup job).
 * Modes instead: `-- --soak [minutes]` (roundsSoak.ts); `-- --block-times 2,12` (roundsBlockTimes.ts,
 * sets `blockTimes` in rounds.json); `-- --speedup-wasm` (WASM speedup only: `wasmSpeedup` in compute.json).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readExampleJob, readExampleWasm } from "../../node/src/compute/exampleJobs.js";
import { MAX_LIMITS } from "../../node/src/compute/limits.js";
import { startRoundsRing, type RoundsRing } from "../devnet/roundsRing.js";
import { hardhatAccount } from "../devnet/hardhatNode.js";
import { percentile, roundPhases, roundTimes } from "./roundTraces.js";
import { requestResponseFloorMs, transactionFloorMs } from "./floors.js";
import { cpuBetween, procStats, type ProcStats } from "./procStats.js";
import { soak } from "./roundsSoak.js";
import { blockTimeRun, blockTimeTable, type BlockTimeResult } from "./roundsBlockTimes.js";
import { mergeResults } from "./mergeResults.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const ECHO_JOB = `
export function map(inputs, params, shard, shards) { return { n: params.n, shard }; }
export function reduce(partials, params) { return { n: params.n, shards: partials.length }; }
`;

/** Bench timeouts: rounds react to events, polls only back them up. */
const BENCH_ENV: NodeJS.ProcessEnv = { RING_NODE_CHAIN_POLL_MS: "100", RING_NODE_TRACE_ROUNDS: "1" };

async function startRing(n: number, label: string): Promise<RoundsRing> {
  const world = await startRoundsRing(n, label, BENCH_ENV);
  for (let i = 0; i < n; i++) await world.start(i);
  return world;
}

async function roundLatency(world: RoundsRing, rounds: number): Promise<number[]> {
  const latencies: number[] = [];
  // Warm-up: the first job pays for connections and code loading.
  await world.jobsOf(0).submit({ source: ECHO_JOB, inputs: [], params: { n: -1 }, shards: 1, redundancy: 1, waitMs: 60_000 });
  for (let i = 0; i < rounds; i++) {
    const client = world.jobsOf(i % world.members.length);
    const started = performance.now();
    const result = await client.submit({ source: ECHO_JOB, inputs: [], params: { n: i }, shards: 1, redundancy: 1, waitMs: 60_000 });
    if (result.status !== "finalised") throw new Error(`round job ${i} not finalised: ${JSON.stringify(result)}`);
    latencies.push(performance.now() - started);
    if ((i + 1) % 20 === 0) process.stdout.write(`  ${i + 1}/${rounds} rounds, last ${latencies.at(-1)?.toFixed(0)} ms\n`);
  }
  return latencies;
}

async function throughput(world: RoundsRing, concurrency: number, seconds: number): Promise<number> {
  const deadline = Date.now() + seconds * 1_000;
  let finished = 0;
  let sequence = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (Date.now() < deadline) {
        const client = world.jobsOf(worker % world.members.length);
        const result = await client.submit({ source: ECHO_JOB, inputs: [], params: { n: 1_000_000 + sequence++, worker }, shards: 1, redundancy: 1, waitMs: 120_000 });
        if (result.status === "finalised") finished++;
      }
    }),
  );
  return (finished / (Date.now() - started)) * 60_000;
}

/** The processes of a ring world: its members' ring-node processes, then the chain's. */
function pids(world: RoundsRing): Array<number | undefined> {
  return [...world.members.map((member) => member.node?.child.pid), world.ring.chain.process.pid];
}

async function sample(world: RoundsRing): Promise<Array<ProcStats | null>> {
  return Promise.all(pids(world).map((pid) => procStats(pid)));
}

interface SpeedupRun {
  n: number;
  job: "js" | "wasm";
  limit: number;
  seconds: number;
  /** CPU seconds of each member during the job, and of the chain. */
  memberCpuSeconds: Array<number | null>;
  chainCpuSeconds: number | null;
}

/**
 * The CPU-bound primes job (examples/jobs/primes.js, or its AssemblyScript twin as a WebAssembly
 * module) below `limit`, `n * 2` shards, redundancy 1, on a new ring of `n`.
 */
async function speedup(n: number, job: "js" | "wasm", limit: number): Promise<SpeedupRun> {
  const code = job === "js" ? { source: await readExampleJob("primes") } : { wasm: Buffer.from(await readExampleWasm("primes")).toString("base64") };
  const world = await startRing(n, `speedup${n}${job}`);
  try {
    // Warm-up (connections, sandbox): a tiny job.
    await world.jobsOf(0).submit({ ...code, inputs: [], params: { limit: 1000 }, shards: n, redundancy: 1, waitMs: 60_000 });
    const before = await sample(world);
    const started = performance.now();
    const result = await world.jobsOf(0).submit({ ...code, inputs: [], params: { limit }, shards: n * 2, redundancy: 1, limits: { fuel: MAX_LIMITS.fuel }, waitMs: 600_000 });
    if (result.status !== "finalised") throw new Error(`speedup job not finalised: ${JSON.stringify(result)}`);
    const seconds = (performance.now() - started) / 1_000;
    const cpu = cpuBetween(before, await sample(world));
    return { n, job, limit, seconds, memberCpuSeconds: cpu.slice(0, n), chainCpuSeconds: cpu[n] ?? null };
  } finally {
    await world.cleanup();
  }
}

/** The soak mode: BENCH_CONCURRENCY clients on a ring of 4 for `minutes`, RSS and descriptors sampled. */
async function soakMain(minutes: number): Promise<void> {
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 20);
  const intervalSeconds = Number(process.env.BENCH_SOAK_INTERVAL_S ?? 60);
  process.stdout.write(`soak: ring of 4, ${concurrency} concurrent clients for ${minutes} min, a sample every ${intervalSeconds} s\n`);
  const world = await startRing(4, "soak");
  try {
    const result = await soak({
      minutes,
      concurrency,
      intervalSeconds,
      pids: () => pids(world).map((pid, i) => ({ name: i < world.members.length ? `member ${i}` : "chain", pid })),
      submit: async (worker, sequence) => {
        const client = world.jobsOf(worker % world.members.length);
        const answer = await client.submit({ source: ECHO_JOB, inputs: [], params: { n: 2_000_000 + sequence, worker }, shards: 1, redundancy: 1, waitMs: 120_000 });
        return answer.status === "finalised";
      },
      print: (line) => process.stdout.write(line),
    });
    process.stdout.write(`\nprocess  | RSS MB/min | open fds/min (last third of the samples against the first)\n`);
    for (const g of result.growth) process.stdout.write(`${g.process.padEnd(8)} | ${String(g.rssMbPerMin ?? "-").padStart(10)} | ${String(g.openFdsPerMin ?? "-").padStart(12)}\n`);
    await mkdir(path.join(ROOT, "bench-results"), { recursive: true });
    await writeFile(path.join(ROOT, "bench-results", "rounds-soak.json"), `${JSON.stringify({ minutes, concurrency, intervalSeconds, ...result }, null, 2)}\n`);
    process.stdout.write(`\nwrote bench-results/rounds-soak.json\n`);
  } finally {
    await world.cleanup();
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 100);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 20);
  const throughputSeconds = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 30);
  const speedupNs = (process.env.BENCH_SPEEDUP_N ?? "1,2").split(",").map(Number).filter((n) => n >= 1 && n <= 5);
  const primesLimit = Number(process.env.BENCH_PRIMES_LIMIT ?? 3_000_000);
  const wasmPrimesLimit = Number(process.env.BENCH_WASM_PRIMES_LIMIT ?? 20_000_000);
  const floorSamples = Number(process.env.BENCH_FLOOR_SAMPLES ?? 100);

  process.stdout.write(`ring of 4 ring-node processes, hardhat node (automine)\n`);
  const world = await startRing(4, "bench");
  let latencies: number[];
  let jobLatencies: number[];
  let jobsPerMin: number;
  let txFloorMs: number;
  let p2pFloorMs: number;
  let phases: Array<{ phase: string; p50Ms: number }>;
  const idle = await sample(world);
  let afterRounds: Array<ProcStats | null>;
  let afterThroughput: Array<ProcStats | null>;
  try {
    jobLatencies = (await roundLatency(world, rounds)).sort((a, b) => a - b);
    // Round 1 was the warm-up job's.
    latencies = roundTimes(world, 2).sort((a, b) => a - b);
    phases = roundPhases(world, 2);
    afterRounds = await sample(world);
    process.stdout.write(`floor: ${floorSamples} transactions on the same hardhat node, ${floorSamples} libp2p request/responses\n`);
    txFloorMs = await transactionFloorMs(hardhatAccount(15), world.ring.chain.provider, floorSamples);
    process.stdout.write(`throughput: ${concurrency} concurrent clients for ${throughputSeconds} s\n`);
    jobsPerMin = await throughput(world, concurrency, throughputSeconds);
    afterThroughput = await sample(world);
    p2pFloorMs = await requestResponseFloorMs(floorSamples);
  } finally {
    // Profiling (RINGS_CPU_PROF_DIR): a clean exit writes each member's CPU profile.
    if (process.env.RINGS_CPU_PROF_DIR !== undefined) await Promise.all(world.members.map((member) => member.node?.stop() ?? Promise.resolve()));
    await world.cleanup();
  }
  const floorMs = txFloorMs + p2pFloorMs;
  const speedups: SpeedupRun[] = [];
  await promisify(execFile)("npm", ["run", "--silent", "build:wasm"], { cwd: ROOT });
  for (const [job, limit] of [["js", primesLimit], ["wasm", wasmPrimesLimit]] as const) {
    for (const n of speedupNs) {
      process.stdout.write(`speedup: primes below ${limit} (${job}) on a ring of ${n}\n`);
      speedups.push(await speedup(n, job, limit));
    }
  }

  const p50Ms = percentile(latencies, 50);
  const p99Ms = percentile(latencies, 99);
  const jobP50Ms = percentile(jobLatencies, 50);
  const jobP99Ms = percentile(jobLatencies, 99);
  const baseOf = (job: string) => speedups.find((run) => run.n === 1 && run.job === job)?.seconds;
  const cpuCell = (values: Array<number | null>) => values.map((v) => (v === null ? "-" : v.toFixed(1))).join(" / ");
  const latencyCpu = cpuBetween(idle, afterRounds);
  const throughputCpu = cpuBetween(afterRounds, afterThroughput);
  const rows: Array<[string, string, string]> = [
    ["floor: tx send+mine+receipt + libp2p req/resp", `${floorMs.toFixed(1)} ms (${txFloorMs.toFixed(1)} + ${p2pFloorMs.toFixed(1)})`, ""],
    ["round latency p50 (proposal -> flush mined)", `${p50Ms.toFixed(0)} ms (${(p50Ms / floorMs).toFixed(2)}x floor)`, "<= 1.5x floor"],
    ["round latency p99 (proposal -> flush mined)", `${p99Ms.toFixed(0)} ms (${(p99Ms / floorMs).toFixed(2)}x floor)`, "<= 3x floor"],
    ...phases.map(({ phase, p50Ms: ms }): [string, string, string] => [`  phase p50: ${phase}`, `${ms} ms`, ""]),
    ["job latency p50 (SubmitJob -> finalised)", `${jobP50Ms.toFixed(0)} ms`, ""],
    ["job latency p99 (SubmitJob -> finalised)", `${jobP99Ms.toFixed(0)} ms`, ""],
    [`jobs/minute (${concurrency} concurrent)`, jobsPerMin.toFixed(0), ""],
    [`CPU s, members / chain, ${rounds} rounds`, cpuCell(latencyCpu), ""],
    [`CPU s, members / chain, throughput`, cpuCell(throughputCpu), ""],
    [`RSS MB, members / chain, idle -> end`, `${cpuCell(idle.map((s) => s?.rssMb ?? null))} -> ${cpuCell(afterThroughput.map((s) => s?.rssMb ?? null))}`, "< 250 per member"],
    ...speedups.map(({ n, job, limit, seconds, memberCpuSeconds, chainCpuSeconds }): [string, string, string] => {
      const base = baseOf(job);
      return [
        `map-reduce ${job} primes < ${limit}, N=${n}`,
        `${seconds.toFixed(2)} s${base === undefined ? "" : ` (speedup ${(base / seconds).toFixed(2)}x)`}, CPU s ${cpuCell([...memberCpuSeconds, chainCpuSeconds])}`,
        n === 1 ? "" : `>= ${(0.9 * n).toFixed(1)}x`,
      ];
    }),
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`\n${"measure".padEnd(width)} | result | target\n`);
  for (const [name, value, target] of rows) process.stdout.write(`${name.padEnd(width)} | ${value} | ${target}\n`);
  const result = {
    rounds: latencies.length,
    p50Ms: Math.round(p50Ms),
    p99Ms: Math.round(p99Ms),
    floorMs: Math.round(floorMs * 10) / 10,
    txFloorMs: Math.round(txFloorMs * 10) / 10,
    p2pFloorMs: Math.round(p2pFloorMs * 10) / 10,
    p50OverFloor: Math.round((p50Ms / floorMs) * 100) / 100,
    p99OverFloor: Math.round((p99Ms / floorMs) * 100) / 100,
    phases,
    jobsPerMin: Math.round(jobsPerMin),
    speedup: speedups,
    cpuSeconds: { rounds: latencyCpu, throughput: throughputCpu, order: "members..., chain" },
    rssMb: { idle: idle.map((s) => s?.rssMb ?? null), end: afterThroughput.map((s) => s?.rssMb ?? null), order: "members..., chain" },
    jobLatency: { jobs: jobLatencies.length, p50Ms: Math.round(jobP50Ms), p99Ms: Math.round(jobP99Ms) },
    loadAverage: loadavg(),
  };
  await mkdir(path.join(ROOT, "bench-results"), { recursive: true });
  await writeFile(path.join(ROOT, "bench-results", "rounds.json"), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nwrote bench-results/rounds.json\n`);
}

/** The block-time mode: a new ring of 4 per block time; `blockTimes` merged into rounds.json. */
async function blockTimesMain(blockTimes: number[]): Promise<void> {
  const [concurrency, blocks] = [Number(process.env.BENCH_CONCURRENCY ?? 20), Number(process.env.BENCH_BLOCK_TIME_BLOCKS ?? 12)];
  const results: BlockTimeResult[] = [];
  for (const seconds of blockTimes) {
    const world = await startRing(4, `blocks${seconds}`);
    try {
      const job = (n: number) => ({ source: ECHO_JOB, inputs: [] as never[], params: { n }, shards: 1, redundancy: 1 });
      results.push(await blockTimeRun(world, { seconds, concurrency, blocks, job, print: (line) => process.stdout.write(line) }));
    } finally {
      await world.cleanup();
    }
  }
  process.stdout.write(`\n${blockTimeTable(results)}`);
  await mergeResults(path.join(ROOT, "bench-results", "rounds.json"), { blockTimes: results, blockTimesLoadAverage: loadavg() });
  process.stdout.write(`\nwrote blockTimes to bench-results/rounds.json\n`);
}

/** `--speedup-wasm`: only the WebAssembly primes speedup runs, at BENCH_SPEEDUP_N (default 1,2). */
async function speedupWasmMain(): Promise<void> {
  const limit = Number(process.env.BENCH_WASM_PRIMES_LIMIT ?? 20_000_000);
  const ns = (process.env.BENCH_SPEEDUP_N ?? "1,2").split(",").map(Number).filter((n) => n >= 1 && n <= 5);
  await promisify(execFile)("npm", ["run", "--silent", "build:wasm"], { cwd: ROOT });
  const runs: SpeedupRun[] = [];
  for (const n of ns) runs.push(await speedup(n, "wasm", limit));
  const base = runs.find((run) => run.n === 1)?.seconds;
  for (const { n, seconds, memberCpuSeconds } of runs) {
    const ratio = base === undefined ? "" : ` (speedup ${(base / seconds).toFixed(2)}x)`;
    process.stdout.write(`map-reduce wasm primes < ${limit}, N=${n}: ${seconds.toFixed(2)} s${ratio}, member CPU s ${memberCpuSeconds.map((v) => v?.toFixed(1) ?? "-").join(" / ")}\n`);
  }
  process.stdout.write(`load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}\n`);
  await mergeResults(path.join(ROOT, "bench-results", "compute.json"), { wasmSpeedup: { limit, runs, loadAverage: loadavg() } });
  process.stdout.write(`wrote wasmSpeedup to bench-results/compute.json\n`);
}

const soakAt = process.argv.indexOf("--soak");
const blockTimesAt = process.argv.indexOf("--block-times");
if (process.argv.includes("--speedup-wasm")) await speedupWasmMain();
else if (soakAt >= 0) await soakMain(Number(process.argv[soakAt + 1] ?? 10) || 10);
else if (blockTimesAt >= 0) await blockTimesMain((process.argv[blockTimesAt + 1] ?? "2,12").split(",").map(Number).filter((s) => s > 0));
else await main();
