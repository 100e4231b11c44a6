/**
 * The block-time mode of `npm run bench:rounds -- --block-times 2,12`: the rounds at real block
 * times. `hardhat node` mines on an interval (automine off, `evm_setIntervalMining`) once the
 * ring is deployed and its members are up; 20 clients (BENCH_CONCURRENCY) then submit small jobs,
 * each waiting for its job to be final before submitting the next, for BENCH_BLOCK_TIME_BLOCKS
 * blocks (default 12, at least 30 s). Measured: the ring's flushes in that window (its Flushed
 * events on chain), jobs finalised per flush and the latency from SubmitJob until finalised.
 */
import { percentile } from "./roundTraces.js";
import { Ring__factory } from "../../types/index.js";
import type { RoundsRing } from "../devnet/roundsRing.js";

export interface BlockTimeResult {
  seconds: number;
  /** Jobs finalised in the window over the ring's flushes in it. */
  jobsPerFlush: number;
  submitToFinalP50Ms: number;
  submitToFinalP99Ms: number;
  jobs: number;
  flushes: number;
  blocks: number;
  /** Blocks of the window without a flush of the ring. */
  blocksWithoutFlush: number;
  concurrency: number;
}

export interface BlockTimeOptions {
  seconds: number;
  concurrency: number;
  blocks: number;
  /** A job of its own for every submission (`n` keeps them apart). */
  job: (n: number) => { source: string; inputs: never[]; params: Record<string, unknown>; shards: number; redundancy: number };
  print: (line: string) => void;
}

/** Switches the world's chain to interval mining every `seconds` (and automine off). */
export async function intervalMining(world: RoundsRing, seconds: number): Promise<void> {
  const provider = world.ring.chain.provider;
  await provider.send("evm_setAutomine", [false]);
  await provider.send("evm_setIntervalMining", [seconds * 1_000]);
}

/** One block time on a started ring (mining still automatic): clients for the window, then the chain's count. */
export async function blockTimeRun(world: RoundsRing, options: BlockTimeOptions): Promise<BlockTimeResult> {
  const { seconds, concurrency } = options;
  const provider = world.ring.chain.provider;
  // Warm-up on automine: connections and code loading.
  await world.jobsOf(0).submit({ ...options.job(-1), waitMs: 60_000 });
  await intervalMining(world, seconds);
  const windowMs = Math.max(30_000, options.blocks * seconds * 1_000);
  options.print(`block time ${seconds} s: ${concurrency} clients for ${(windowMs / 1_000).toFixed(0)} s\n`);
  const fromBlock = (await provider.getBlockNumber()) + 1;
  const deadline = Date.now() + windowMs;
  const latencies: number[] = [];
  let sequence = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (Date.now() < deadline) {
        const started = performance.now();
        const result = await world.jobsOf(worker % world.members.length).submit({ ...options.job(3_000_000 + sequence++), waitMs: 120_000 });
        if (result.status === "finalised") latencies.push(performance.now() - started);
      }
    }),
  );
  const toBlock = await provider.getBlockNumber();
  const ring = Ring__factory.connect(world.ring.ring, provider);
  const flushed = await ring.queryFilter(ring.filters.Flushed(), fromBlock, toBlock);
  const flushBlocks = new Set(flushed.map((event) => event.blockNumber));
  latencies.sort((a, b) => a - b);
  const blocks = toBlock - fromBlock + 1;
  return {
    seconds,
    jobsPerFlush: flushed.length === 0 ? 0 : Math.round((latencies.length / flushed.length) * 10) / 10,
    submitToFinalP50Ms: Math.round(percentile(latencies, 50)),
    submitToFinalP99Ms: Math.round(percentile(latencies, 99)),
    jobs: latencies.length,
    flushes: flushed.length,
    blocks,
    blocksWithoutFlush: blocks - flushBlocks.size,
    concurrency,
  };
}

/** The table of the block-time runs. */
export function blockTimeTable(results: readonly BlockTimeResult[]): string {
  const lines = ["block time | jobs | flushes | blocks (without a flush) | jobs/flush | submit->final p50 / p99 | p50 / block time"];
  for (const r of results) {
    const ratio = (r.submitToFinalP50Ms / (r.seconds * 1_000)).toFixed(2);
    lines.push(`${r.seconds} s | ${r.jobs} | ${r.flushes} | ${r.blocks} (${r.blocksWithoutFlush}) | ${r.jobsPerFlush} | ${r.submitToFinalP50Ms} / ${r.submitToFinalP99Ms} ms | ${ratio}`);
  }
  lines.push("target at 2 s: >= 20 jobs/flush, p50 <= 2 block times");
  return `${lines.join("\n")}\n`;
}
