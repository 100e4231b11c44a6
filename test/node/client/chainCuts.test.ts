/**
 * The rounds of a replay checked against the chain (node/src/client/chainCuts.ts): each round's
 * cut is the logged proposal that rebuilds to the ring head `Ring.ringLog(round)` holds, chained
 * down to round 1 by prevHead, every head it names the node the logs hold (test/node/helpers/replayWorld.ts:
 * signed nodes of two authors, proposals built as the relayer builds them, a chain stand-in).
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { chainCheckedCuts, type ReplayLog } from "../../../node/src/client/chainCuts.js";
import { ReplayCutMismatchError, ReplayIncompleteError } from "../../../node/src/client/errors.js";
import { chainOf, head, RING, world } from "../helpers/replayWorld.js";

async function refusal(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error("accepted");
    },
    (error: unknown) => error,
  );
}

describe("client: a replay's rounds checked against the chain's ring log", () => {
  it("gives every round's cut, oldest first, when each logged proposal rebuilds to the chain's head", async () => {
    const { logs, heads, a, b } = await world();
    const checked = await chainCheckedCuts({ ring: RING, chain: chainOf(heads), logs });
    expect(checked.finalRound).to.equal(2);
    expect(checked.cuts.map((cut) => [cut.round, Object.fromEntries(cut.heads)])).to.deep.equal([
      [1, { [a.author]: 1, [b.author]: 0 }],
      [2, { [a.author]: 2, [b.author]: 2 }],
    ]);
  });

  it("leaves a round out whose proposal the logs do not hold yet (only rounds below the newest logged one count)", async () => {
    const { logs, heads } = await world();
    const checked = await chainCheckedCuts({ ring: RING, chain: chainOf([...heads, `0x${"cd".repeat(32)}`]), logs });
    expect([checked.finalRound, checked.chainRound, checked.cuts.length]).to.deep.equal([2, 3, 2]);
  });

  it("follows prevHead where the chain no longer keeps a round's head", async () => {
    const { logs, heads } = await world();
    expect((await chainCheckedCuts({ ring: RING, chain: chainOf(heads, new Set([1])), logs })).cuts.map((cut) => cut.round)).to.deep.equal([1, 2]);
  });

  it("refuses when the chain's ring log names another head than the next round's proposal chains to", async () => {
    const { logs, heads } = await world();
    const error = await refusal(chainCheckedCuts({ ring: RING, chain: chainOf([heads[0] as string, `0x${"ab".repeat(32)}`, heads[2] as string]), logs }));
    expect(error).to.be.instanceOf(ReplayCutMismatchError);
  });

  it("does not take a logged proposal whose cut was altered after its head was computed", async () => {
    const { logs, heads, a, b, second } = await world();
    const altered = { ...second, cut: [head(a, 1), head(b, 2)] };
    const log = logs.get(a.author.toLowerCase()) as ReplayLog;
    logs.set(a.author.toLowerCase(), { ...log, entries: [...log.entries.slice(0, 3), altered] });
    expect(await refusal(chainCheckedCuts({ ring: RING, chain: chainOf(heads), logs }))).to.be.instanceOf(ReplayIncompleteError);
  });

  it("refuses a cut whose head is another node than the log holds at that seq (a forked branch)", async () => {
    const { logs, heads } = await world({ roundOneCut: (a, b) => [{ ...head(a, 1), cid: head(b, 0).cid }, head(b, 0)] });
    expect(await refusal(chainCheckedCuts({ ring: RING, chain: chainOf(heads), logs }))).to.be.instanceOf(ReplayCutMismatchError);
  });

  it("refuses a cut naming a seq the replayed logs do not hold", async () => {
    const { logs, heads, a } = await world();
    const log = logs.get(a.author.toLowerCase()) as ReplayLog;
    logs.set(a.author.toLowerCase(), { ...log, nodes: log.nodes.slice(0, 2) });
    const error = await refusal(chainCheckedCuts({ ring: RING, chain: chainOf(heads), logs }));
    expect(error).to.be.instanceOf(ReplayIncompleteError);
  });
});
