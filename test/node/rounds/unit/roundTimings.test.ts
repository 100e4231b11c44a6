/** The rounds' timings kept for the status (rounds/roundTimings.ts), fed the rounds-trace steps. */
import { expect } from "chai";
import { RoundTimings } from "../../../../node/src/rounds/roundTimings.js";

/** Timings on a clock the test moves. */
function timings(limit?: number): { recorder: RoundTimings; at: (ms: number) => void } {
  let now = 0;
  return { recorder: new RoundTimings(limit, () => now), at: (ms) => (now = ms) };
}

describe("round timings (from the rounds trace)", () => {
  it("keeps when the relayer started proposing a round and when its flush was mined", () => {
    const { recorder, at } = timings();
    at(1_000);
    recorder.observe("propose start", { round: 4 });
    at(1_750);
    recorder.observe("flush mined", { round: 4 });
    expect(recorder.recent()).to.deep.equal([{ round: 4, proposedAt: 1_000, flushedAt: 1_750, heardAt: null }]);
  });

  it("counts a round's first proposal attempt, not a later one", () => {
    const { recorder, at } = timings();
    at(100);
    recorder.observe("propose start", { round: 1 });
    at(5_000);
    recorder.observe("propose start", { round: 1 });
    expect(recorder.recent()[0]?.proposedAt).to.equal(100);
  });

  it("keeps when a member that did not relay heard of the flush", () => {
    const { recorder, at } = timings();
    at(42);
    recorder.observe("flushed notice", { round: 2 });
    expect(recorder.recent()).to.deep.equal([{ round: 2, proposedAt: null, flushedAt: null, heardAt: 42 }]);
  });

  it("ignores steps without a round and steps that name no proposal or flush", () => {
    const { recorder } = timings();
    recorder.observe("map start", { job: "x" });
    recorder.observe("vote asked", { round: 3 });
    recorder.observe("flush mined", { round: "3" });
    expect(recorder.recent()).to.deep.equal([]);
  });

  it("keeps only the last `limit` rounds, oldest first", () => {
    const { recorder } = timings(3);
    for (const round of [5, 1, 2, 3, 4]) recorder.observe("propose start", { round });
    expect(recorder.recent().map((timing) => timing.round)).to.deep.equal([3, 4, 5]);
  });

  it("hands out copies the caller cannot change", () => {
    const { recorder } = timings();
    recorder.observe("propose start", { round: 1 });
    const [copy] = recorder.recent();
    if (copy !== undefined) copy.proposedAt = 99;
    expect(recorder.recent()[0]?.proposedAt).to.equal(0);
  });
});
