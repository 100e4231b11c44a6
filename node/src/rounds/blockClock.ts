/**
 * When the chain's next block comes, as far as a member can tell: on a chain that mines on an
 * interval (an L2's 2 s, an L1's 12 s) a flush sent right after a block waits the whole interval
 * in the mempool, while the jobs that become ready meanwhile wait for the round after it. So the
 * relayer gathers: it proposes once a full flush is ready, or when only the round's own time
 * (proposal, votes, broadcast: `leadMs`) is left before the next block, and one flush carries
 * every job ready by then. On an automining chain (a flush mined as soon as it is sent) nothing is
 * waited for.
 *
 * The interval is the median gap of the latest block timestamps; the phase is the moment this
 * member saw a new block (polled), or better its own flush's receipt (polled every 15 ms). The
 * chain counts as interval-mined only while this member's own flushes waited in the mempool.
 */

import type { Provider } from "ethers";

/** Gaps kept for the median; flushes kept for the pending time and the lead. */
const KEPT = 8;
/** A flush pending longer than this waited for a block (automine: tens of milliseconds). */
const WAITED_FOR_BLOCK_MS = 250;
/** What is added to the round's measured time before the next block, for the jitter of the machine. */
const SAFETY_MS = 400;

export interface BlockHeader {
  number: number;
  /** Seconds. */
  timestamp: number;
}

export class BlockClock {
  private last: BlockHeader | null = null;
  /** When the latest block was first seen here (a header poll: late by up to the poll's period). */
  private lastSeenAt = 0;
  /** When this member's latest flush's receipt was seen (15 ms polls: the closest sight of a block's time). */
  private receiptAt: number | null = null;
  private readonly gapsMs: number[] = [];
  private readonly pendingMs: number[] = [];
  private readonly roundMs: number[] = [];
  private waking: NodeJS.Timeout | undefined;
  private readAt = 0;

  /** Reads the chain's latest block header, at most every 250 ms (the engine calls it while jobs are open). */
  read(provider: Pick<Provider, "getBlock">): void {
    if (Date.now() - this.readAt < 250) return;
    this.readAt = Date.now();
    void provider.getBlock("latest").then(
      (block) => block !== null && this.observe({ number: block.number, timestamp: block.timestamp }),
      () => undefined,
    );
  }

  /** A block header this member read at `at` (the first sight of each number counts). */
  observe(header: BlockHeader, at = Date.now()): void {
    if (this.last !== null && header.number <= this.last.number) return;
    if (this.last !== null && header.number === this.last.number + 1) keep(this.gapsMs, (header.timestamp - this.last.timestamp) * 1_000);
    this.last = header;
    this.lastSeenAt = at;
  }

  /** This member's flush: proposal started at `startedAt`, broadcast at `sentAt`, its receipt seen at `minedAt`. */
  flushed(startedAt: number, sentAt: number, minedAt: number): void {
    keep(this.roundMs, sentAt - startedAt);
    keep(this.pendingMs, minedAt - sentAt);
    // The receipt is a closer sight of a block than a poll (the gaps come from the polled headers):
    // the phase of the interval is taken from it.
    this.receiptAt = minedAt;
  }

  /** The recent gap between blocks (0 before two blocks were seen): what a sent flush may wait to be mined. */
  blockGapMs(): number {
    return this.gapsMs.length === 0 ? 0 : median(this.gapsMs);
  }

  /**
   * Whether a round ready now waits for the next block to come closer: the milliseconds it waits
   * (then `wake` is called once when they are over), or null when it starts now (`full`: a full
   * flush is ready).
   */
  gather(full: boolean, wake: () => void, now = Date.now()): number | null {
    const start = full ? null : this.startAt(now);
    if (start === null) return null;
    this.waking ??= setTimeout(() => ((this.waking = undefined), wake()), start - now);
    return start - now;
  }

  /** The block interval, or null while the chain does not look interval-mined. */
  intervalMs(): number | null {
    if (this.gapsMs.length < 2 || this.pendingMs.length === 0) return null;
    if (median(this.pendingMs) < WAITED_FOR_BLOCK_MS) return null;
    const gap = median(this.gapsMs);
    return gap >= 1_000 ? gap : null;
  }

  /** How long before a block a round must start to make it: its measured proposal-to-broadcast time and a margin. */
  leadMs(): number {
    return (this.roundMs.length === 0 ? 0 : Math.max(...this.roundMs)) + SAFETY_MS;
  }

  /**
   * When a round ready at `now` should start: now (null) on an automining chain or when the next
   * block is closer than the lead; otherwise the lead before the next block.
   */
  startAt(now = Date.now()): number | null {
    const interval = this.intervalMs();
    if (interval === null || this.last === null) return null;
    const lead = this.leadMs();
    if (lead >= interval) return null;
    let next = (this.receiptAt ?? this.lastSeenAt) + interval;
    while (next <= now) next += interval;
    const start = next - lead;
    return start <= now ? null : start;
  }
}

function keep(values: number[], value: number): void {
  values.push(value);
  if (values.length > KEPT) values.shift();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
