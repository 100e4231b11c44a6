/**
 * The rounds of a replay checked against the chain (node/src/client/chainCuts.ts): each round's
 * cut is the logged proposal that rebuilds to the ring head `Ring.ringLog(round)` holds, chained
 * down to round 1 by prevHead, every head it names the node the logs hold. Signed nodes of two
 * authors, proposals built as the relayer builds them (core/ringProposal.ts), a chain stand-in.
 */
import { expect } from "chai";
import { makeError, Wallet, ZeroHash, type HDNodeWallet } from "ethers";
import { describe, it } from "mocha";
import { chainCheckedCuts, type ReplayLog } from "../../../node/src/client/chainCuts.js";
import { ReplayCutMismatchError, ReplayIncompleteError } from "../../../node/src/client/errors.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { LOG_NODE_VERSION, signLogNode, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { ringNodeOf, ZERO_ADDRESS } from "../../../node/src/core/ringProposal.js";
import { PROPOSAL_ENTRY, type CutHead, type ProposalEntry } from "../../../node/src/core/roundsEntries.js";

const RING = "0x00000000000000000000000000000000000000C0";
const domain = ringDomain(31337, RING);
const [alice, bob] = [Wallet.createRandom(), Wallet.createRandom()] as const;

async function proposal(round: number, prevHead: string, cut: CutHead[]): Promise<ProposalEntry> {
  const node = await ringNodeOf(RING, round, prevHead, cut, ZERO_ADDRESS, []);
  return { type: PROPOSAL_ENTRY, round, prevHead, cut, jobs: [], gate: ZERO_ADDRESS, ringNodeHead: node.head };
}

async function logOf(wallet: HDNodeWallet, entries: unknown[]): Promise<ReplayLog> {
  const nodes: EncodedLogNode[] = [];
  for (const [seq, payload] of entries.entries()) {
    const prev = nodes.at(-1);
    nodes.push(await signLogNode({ v: LOG_NODE_VERSION, ring: RING, author: wallet.address, seq, prev: prev === undefined ? [] : [prev.cid], payload }, wallet, domain));
  }
  return { author: wallet.address, nodes, entries };
}

const message = (txt: string) => ({ message: { app: "chat", payload: { txt } } });
const head = (log: ReplayLog, seq: number): CutHead => ({ author: log.author, seq, cid: (log.nodes[seq] as EncodedLogNode).cid });

/** Two rounds: round 1 covers alice #1 and bob #0, round 2 alice #2 and bob #2; bob logs round 1's proposal, alice round 2's. */
async function world(options: { roundOneCut?: (a: ReplayLog, b: ReplayLog) => CutHead[] } = {}) {
  const a0 = await logOf(alice, [message("a0"), message("a1"), message("a2")]);
  const b0 = await logOf(bob, [message("b0")]);
  const first = await proposal(1, ZeroHash, options.roundOneCut?.(a0, b0) ?? [head(a0, 1), head(b0, 0)]);
  const b = await logOf(bob, [message("b0"), first, message("b2")]);
  const second = await proposal(2, first.ringNodeHead, [head(a0, 2), head(b, 2)]);
  const a = await logOf(alice, [message("a0"), message("a1"), message("a2"), second]);
  const logs = new Map([a, b].map((log) => [log.author.toLowerCase(), log] as const));
  return { logs, heads: [ZeroHash, first.ringNodeHead, second.ringNodeHead], first, second, a, b };
}

function chainOf(heads: readonly string[], unavailable: ReadonlySet<number> = new Set()) {
  return {
    round: () => Promise.resolve(BigInt(heads.length - 1)),
    ringLog: (round: bigint | number) => {
      if (unavailable.has(Number(round))) {
        const revert: Error = makeError("execution reverted: RingLogUnavailable", "CALL_EXCEPTION", { action: "call", data: null, reason: null, transaction: { to: RING, data: "0x" }, invocation: null, revert: null });
        return Promise.reject(revert);
      }
      return Promise.resolve(heads[Number(round)] as string);
    },
  };
}

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
