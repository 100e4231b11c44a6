/**
 * CPU time and resident memory of a running process, read from Linux's /proc (the benchmarks run
 * real `ring-node` and `hardhat node` processes; this is how their cost is reported beside speed).
 */
import { readdir, readFile } from "node:fs/promises";

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ProcStats {
  /** User + system CPU seconds since the process started. */
  cpuSeconds: number;
  /** Resident set size in MB. */
  rssMb: number;
  /** Open file descriptors (sockets, files, pipes): what a leak of handles makes grow. */
  openFds: number;
}

export async function procStats(pid: number | undefined): Promise<ProcStats | null> {
  if (pid === undefined) return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces, hence the last ')'): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const openFds = (await readdir(`/proc/${pid}/fd`)).length;
    return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssMb: Math.round(rssKb / 102.4) / 10, openFds };
  } catch {
    return null; // the process has exited
  }
}

/** The CPU seconds each process spent between two samples (null where either is missing). */
export function cpuBetween(before: Array<ProcStats | null>, after: Array<ProcStats | null>): Array<number | null> {
  return after.map((end, i) => {
    const start = before[i];
    return end === null || start === null || start === undefined ? null : Math.round((end.cpuSeconds - start.cpuSeconds) * 100) / 100;
  });
}
