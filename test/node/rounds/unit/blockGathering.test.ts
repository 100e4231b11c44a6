/**
 * The relayer's batching at real block times, with fake clocks (rounds/blockClock.ts,
 * relayerTurns.ts, flushBudget.ts): on an interval-mined chain a round ready early in a block
 * waits until its own measured time before the next block, so one flush carries every job ready
 * by then; a full flush, an automining chain or a late moment start at once; the relayer timeout
 * counts again from the relayer's "sent" notice (once a round) and spans a block gap; the flush
 * gas limit bounds the jobs of a round.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { BlockClock } from "../../../../node/src/rounds/blockClock.js";
import { jobsWithinGas, MAX_JOBS_PER_ROUND } from "../../../../node/src/rounds/flushBudget.js";
import { RelayerTurns } from "../../../../node/src/rounds/relayerTurns.js";

/** A clock that saw blocks every `intervalS` up to block 10 (seen at `t0`) and one own flush that waited `pendingMs`. */
function clockWith(intervalS: number, t0: number, pendingMs: number, roundMs = 200): BlockClock {
  const clock = new BlockClock();
  for (let n = 7; n <= 10; n++) clock.observe({ number: n, timestamp: 1_000 + n * intervalS }, t0 - (10 - n) * intervalS * 1_000);
  clock.flushed(t0 - pendingMs - roundMs, t0 - pendingMs, t0);
  return clock;
}

describe("block gathering: when a relayer starts a round", () => {
  it("waits, early in a 2 s block, until its round time and a margin before the next block", () => {
    const clock = clockWith(2, 100_000, 1_500);
    expect(clock.intervalMs()).to.equal(2_000);
    // Next block at 102,000 (the own receipt's phase); the lead is the round's 200 ms + 400 ms.
    expect(clock.startAt(100_100)).to.equal(101_400);
  });

  it("starts at once when the next block is closer than the lead", () => {
    const clock = clockWith(2, 100_000, 1_500);
    expect(clock.startAt(101_600)).to.equal(null);
  });

  it("aims at the block after next when the expected block is past but not seen yet", () => {
    const clock = clockWith(12, 100_000, 9_000);
    expect(clock.startAt(112_100)).to.equal(123_400);
  });

  it("never waits on an automining chain (its flushes were mined within tens of milliseconds)", () => {
    const clock = clockWith(2, 100_000, 30);
    expect(clock.intervalMs()).to.equal(null);
    expect(clock.startAt(100_100)).to.equal(null);
  });

  it("never waits before it saw one of its own flushes wait for a block", () => {
    const clock = new BlockClock();
    for (let n = 1; n <= 4; n++) clock.observe({ number: n, timestamp: n * 2 }, n * 2_000);
    expect(clock.blockGapMs()).to.equal(2_000);
    expect(clock.startAt(8_100)).to.equal(null);
  });

  it("starts a full flush at once and wakes a gathering round once, at its start", async () => {
    const now = Date.now();
    const clock = clockWith(2, now, 1_500, 0);
    expect(clock.gather(true, () => undefined)).to.equal(null);
    let woken = 0;
    const waitMs = clock.gather(false, () => woken++);
    expect(waitMs).to.be.a("number").within(1_000, 1_800);
    expect(clock.gather(false, () => woken++)).to.be.a("number");
    await new Promise((resolve) => setTimeout(resolve, (waitMs as number) + 100));
    expect(woken).to.equal(1);
  });
});

describe("relayer turns: the hand-over timeout", () => {
  const members = ["0xA", "0xB", "0xC", "0xD"];

  function turns(gapMs: number) {
    let now = 0;
    const t = new RelayerTurns({ members: () => members, relayerTimeoutMs: 4_000, blockGapMs: () => gapMs, now: () => now });
    return { t, at: (ms: number) => (now = ms) };
  }

  it("hands the round to the next member after the setting plus one block gap of ready work", () => {
    const { t, at } = turns(2_000);
    at(1_000);
    expect(t.attempts(5)).to.equal(0);
    at(6_900);
    expect(t.attempts(5)).to.equal(0);
    at(7_000);
    expect(t.attempts(5)).to.equal(1);
    expect(t.relayerOf(5, 1)).to.equal("0xC");
  });

  it("counts again from the relayer's sent notice, once a round", () => {
    const { t, at } = turns(12_000);
    at(0);
    t.attempts(5);
    at(15_000);
    t.sent(5);
    at(30_000);
    expect(t.attempts(5)).to.equal(0);
    t.sent(5); // a second notice for the same round does not hold the hand-over off
    at(31_000);
    expect(t.attempts(5)).to.equal(1);
  });

  it("ignores a sent notice for a round it has no work for", () => {
    const { t, at } = turns(0);
    at(0);
    t.attempts(5);
    t.sent(6);
    at(4_000);
    expect(t.attempts(5)).to.equal(1);
  });

  it("starts the next round's clock afresh once a round is flushed", () => {
    const { t, at } = turns(0);
    at(0);
    t.attempts(5);
    at(10_000);
    t.flushed();
    expect(t.attempts(6)).to.equal(0);
  });
});

describe("flush budget: the jobs one round carries", () => {
  it("fits the writer's gas bound of a flush within the gas limit", () => {
    // 300k + 4 x 60k fixed, 150k a job.
    expect(jobsWithinGas(15_000_000, 4)).to.equal(96);
    expect(jobsWithinGas(3_000_000, 4)).to.equal(16);
  });

  it("carries at least one job and at most MAX_JOBS_PER_ROUND", () => {
    expect(jobsWithinGas(1_000_000, 20)).to.equal(1);
    expect(jobsWithinGas(100_000_000, 4)).to.equal(MAX_JOBS_PER_ROUND);
  });
});
