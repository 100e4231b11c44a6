/**
 * The soak mode of `npm run bench:rounds -- --soak [minutes]` (default 10): `concurrency` clients
 * submit small jobs to a ring of 4 without pause, and every `intervalSeconds` (BENCH_SOAK_INTERVAL_S,
 * 60) each process's RSS, open file descriptors and CPU are sampled with the jobs finalised so far.
 * What grows without bound shows as a slope: the last third of the samples against the first
 * (after warm-up), per member, in MB and descriptors per minute.
 * Writes bench-results/rounds-soak.json { minutes, concurrency, samples: [...], growth: [...] }.
 */
import { loadavg } from "node:os";
import { procStats, type ProcStats } from "./procStats.js";

export interface SoakSample {
  minute: number;
  jobsFinalised: number;
  /** Members' then the chain's, as `pids` orders them. */
  processes: Array<ProcStats | null>;
  loadAverage: number[];
}

export interface SoakGrowth {
  process: string;
  rssMbPerMin: number | null;
  openFdsPerMin: number | null;
}

export interface SoakInit {
  minutes: number;
  concurrency: number;
  intervalSeconds: number;
  /** The processes to sample, with their names ("member 0", …, "chain"). */
  pids: () => Array<{ name: string; pid: number | undefined }>;
  /** Submits one job through client `worker` and resolves whether it was finalised. */
  submit: (worker: number, sequence: number) => Promise<boolean>;
  print: (line: string) => void;
}

/** The slope of `value` between the mean of the first and of the last third of `samples`, per minute. */
function slope(samples: readonly SoakSample[], value: (sample: SoakSample) => number | null): number | null {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (part: readonly SoakSample[]) => {
    const values = part.map(value).filter((v): v is number => v !== null);
    return values.length === 0 ? null : { value: values.reduce((a, b) => a + b, 0) / values.length, minute: part.reduce((a, s) => a + s.minute, 0) / part.length };
  };
  const first = mean(samples.slice(0, third));
  const last = mean(samples.slice(-third));
  if (first === null || last === null || last.minute <= first.minute) return null;
  return Math.round(((last.value - first.value) / (last.minute - first.minute)) * 100) / 100;
}

export async function soak(init: SoakInit): Promise<{ samples: SoakSample[]; growth: SoakGrowth[] }> {
  const started = Date.now();
  const deadline = started + init.minutes * 60_000;
  let finalised = 0;
  let sequence = 0;
  const samples: SoakSample[] = [];
  const names = init.pids().map((p) => p.name);
  const takeSample = async () => {
    const processes = await Promise.all(init.pids().map(({ pid }) => procStats(pid)));
    const sample = { minute: Math.round(((Date.now() - started) / 60_000) * 100) / 100, jobsFinalised: finalised, processes, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) };
    samples.push(sample);
    const cells = processes.map((p, i) => `${names[i]} ${p === null ? "-" : `${p.rssMb} MB ${p.openFds} fds`}`).join(" | ");
    init.print(`  ${sample.minute.toFixed(1)} min, ${finalised} jobs: ${cells}\n`);
  };
  await takeSample();
  const timer = setInterval(() => void takeSample(), init.intervalSeconds * 1_000);
  try {
    await Promise.all(
      Array.from({ length: init.concurrency }, async (_, worker) => {
        while (Date.now() < deadline) if (await init.submit(worker, sequence++)) finalised++;
      }),
    );
  } finally {
    clearInterval(timer);
  }
  await takeSample();
  // The first sample is the ring idle before any job: growth is read from the loaded ones.
  const loaded = samples.slice(1);
  const growth = names.map((name, i) => ({
    process: name,
    rssMbPerMin: slope(loaded, (s) => s.processes[i]?.rssMb ?? null),
    openFdsPerMin: slope(loaded, (s) => s.processes[i]?.openFds ?? null),
  }));
  return { samples, growth };
}
