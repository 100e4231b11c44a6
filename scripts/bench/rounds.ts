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
 */
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readExampleJob } from "../../node/src/compute/exampleJobs.js";
import { MAX_LIMITS } from "../../node/src/compute/limits.js";
import { startRoundsRing, type RoundsRing } from "../devnet/roundsRing.js";
import { hardhatAccount } from "../devnet/hardhatNode.js";
import { requestResponseFloorMs, transactionFloorMs } from "./floors.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const ECHO_JOB = `
export function map(inputs, params, shard, shards) { return { n: params.n, shard }; }
export function reduce(partials, params) { return { n: params.n, shards: partials.length }; }
`;

/** Bench timeouts: rounds react to events, polls only back them up. */
const BENCH_ENV: NodeJS.ProcessEnv = { RING_NODE_CHAIN_POLL_MS: "100", RING_NODE_TRACE_ROUNDS: "1" };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

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

/**
 * Each round's own latency, from the members' round traces: the first "propose start" of round r
 * (a relayer begins the round: reduce, proposal, votes) until its flush is mined.
 */
function roundTimes(world: RoundsRing, fromRound: number): number[] {
  const starts = new Map<number, number>();
  const ends = new Map<number, number>();
  for (const member of world.members) {
    for (const line of member.node?.logs ?? []) {
      if (line.msg !== "rounds trace" || typeof line.round !== "number" || typeof line.at !== "number") continue;
      if (line.step === "propose start") starts.set(line.round, Math.min(starts.get(line.round) ?? Infinity, line.at));
      if (line.step === "flush mined") ends.set(line.round, line.at);
    }
  }
  const times: number[] = [];
  for (const [round, end] of ends) {
    const start = starts.get(round);
    if (round >= fromRound && start !== undefined) times.push(end - start);
  }
  return times;
}

/** Steps of the relayer's trace that split a round into phases (roundsTrace.ts names). */
const PHASES: Array<[string, string, string]> = [
  ["reduce + proposal built and logged", "propose start", "proposal appended"],
  ["votes asked and answered", "proposal appended", "flush start"],
  ["flush: estimate, send, mine, receipt", "flush start", "flush mined"],
];

/** Median ms of each phase over the rounds from `fromRound`, from the trace of the member that flushed each. */
function roundPhases(world: RoundsRing, fromRound: number): Array<{ phase: string; p50Ms: number }> {
  const durations = PHASES.map(() => [] as number[]);
  for (const member of world.members) {
    const steps = new Map<number, Map<string, number>>();
    for (const line of member.node?.logs ?? []) {
      if (line.msg !== "rounds trace" || typeof line.round !== "number" || typeof line.at !== "number" || typeof line.step !== "string") continue;
      const round = steps.get(line.round) ?? new Map<string, number>();
      if (!round.has(line.step)) round.set(line.step, line.at);
      steps.set(line.round, round);
    }
    for (const [round, at] of steps) {
      if (round < fromRound || !at.has("flush mined")) continue;
      PHASES.forEach(([, from, to], i) => {
        const start = at.get(from);
        const end = at.get(to);
        if (start !== undefined && end !== undefined) durations[i]?.push(end - start);
      });
    }
  }
  return PHASES.map(([phase], i) => ({ phase, p50Ms: Math.round(percentile((durations[i] ?? []).sort((a, b) => a - b), 50) * 10) / 10 }));
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

/** The CPU-bound job (examples/jobs/primes.js: primes below `limit`), `n * 2` shards, redundancy 1. */
async function speedup(n: number, limit: number): Promise<number> {
  const PRIMES_JOB = await readExampleJob("primes");
  const world = await startRing(n, `speedup${n}`);
  try {
    // Warm-up (connections, sandbox): a tiny job.
    await world.jobsOf(0).submit({ source: PRIMES_JOB, inputs: [], params: { limit: 1000 }, shards: n, redundancy: 1, waitMs: 60_000 });
    const started = performance.now();
    const result = await world.jobsOf(0).submit({ source: PRIMES_JOB, inputs: [], params: { limit }, shards: n * 2, redundancy: 1, limits: { fuel: MAX_LIMITS.fuel }, waitMs: 600_000 });
    if (result.status !== "finalised") throw new Error(`speedup job not finalised: ${JSON.stringify(result)}`);
    return (performance.now() - started) / 1_000;
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
  const floorSamples = Number(process.env.BENCH_FLOOR_SAMPLES ?? 100);

  process.stdout.write(`ring of 4 ring-node processes, hardhat node (automine)\n`);
  const world = await startRing(4, "bench");
  let latencies: number[];
  let jobLatencies: number[];
  let jobsPerMin: number;
  let txFloorMs: number;
  let p2pFloorMs: number;
  let phases: Array<{ phase: string; p50Ms: number }>;
  try {
    jobLatencies = (await roundLatency(world, rounds)).sort((a, b) => a - b);
    // Round 1 was the warm-up job's.
    latencies = roundTimes(world, 2).sort((a, b) => a - b);
    phases = roundPhases(world, 2);
    process.stdout.write(`floor: ${floorSamples} transactions on the same hardhat node, ${floorSamples} libp2p request/responses\n`);
    txFloorMs = await transactionFloorMs(hardhatAccount(15), world.ring.chain.provider, floorSamples);
    process.stdout.write(`throughput: ${concurrency} concurrent clients for ${throughputSeconds} s\n`);
    jobsPerMin = await throughput(world, concurrency, throughputSeconds);
    p2pFloorMs = await requestResponseFloorMs(floorSamples);
  } finally {
    await world.cleanup();
  }
  const floorMs = txFloorMs + p2pFloorMs;
  const speedups: Array<{ n: number; seconds: number }> = [];
  for (const n of speedupNs) {
    process.stdout.write(`speedup: primes below ${primesLimit} on a ring of ${n}\n`);
    speedups.push({ n, seconds: await speedup(n, primesLimit) });
  }

  const p50Ms = percentile(latencies, 50);
  const p99Ms = percentile(latencies, 99);
  const jobP50Ms = percentile(jobLatencies, 50);
  const jobP99Ms = percentile(jobLatencies, 99);
  const base = speedups.find((s) => s.n === 1)?.seconds;
  const rows: Array<[string, string, string]> = [
    ["floor: tx send+mine+receipt + libp2p req/resp", `${floorMs.toFixed(1)} ms (${txFloorMs.toFixed(1)} + ${p2pFloorMs.toFixed(1)})`, ""],
    ["round latency p50 (proposal -> flush mined)", `${p50Ms.toFixed(0)} ms (${(p50Ms / floorMs).toFixed(2)}x floor)`, "<= 1.5x floor"],
    ["round latency p99 (proposal -> flush mined)", `${p99Ms.toFixed(0)} ms (${(p99Ms / floorMs).toFixed(2)}x floor)`, "<= 3x floor"],
    ...phases.map(({ phase, p50Ms: ms }): [string, string, string] => [`  phase p50: ${phase}`, `${ms} ms`, ""]),
    ["job latency p50 (SubmitJob -> finalised)", `${jobP50Ms.toFixed(0)} ms`, ""],
    ["job latency p99 (SubmitJob -> finalised)", `${jobP99Ms.toFixed(0)} ms`, ""],
    [`jobs/minute (${concurrency} concurrent)`, jobsPerMin.toFixed(0), ""],
    ...speedups.map(({ n, seconds }): [string, string, string] => [
      `map-reduce N=${n}`,
      `${seconds.toFixed(2)} s${base === undefined ? "" : ` (speedup ${(base / seconds).toFixed(2)}x)`}`,
      n === 1 ? "" : `>= ${(0.7 * n).toFixed(1)}x`,
    ]),
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
    jobLatency: { jobs: jobLatencies.length, p50Ms: Math.round(jobP50Ms), p99Ms: Math.round(jobP99Ms) },
    loadAverage: loadavg(),
  };
  await mkdir(path.join(ROOT, "bench-results"), { recursive: true });
  await writeFile(path.join(ROOT, "bench-results", "rounds.json"), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nwrote bench-results/rounds.json\n`);
}

await main();
