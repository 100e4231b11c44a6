/**
 * A small replayed ring for the client's replay tests: two authors' signed logs (plaintext entries)
 * with two rounds' proposals built as the relayer builds them (core/ringProposal.ts), and a
 * stand-in for the chain's round and ring log (a kept-no-more round reverts as the Ring does).
 */
import { makeError, Wallet, ZeroHash, type HDNodeWallet } from "ethers";
import type { ReplayLog } from "../../../node/src/client/chainCuts.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { LOG_NODE_VERSION, signLogNode, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { ringNodeOf, ZERO_ADDRESS } from "../../../node/src/core/ringProposal.js";
import { PROPOSAL_ENTRY, type CutHead, type ProposalEntry } from "../../../node/src/core/roundsEntries.js";

export const RING = "0x00000000000000000000000000000000000000C0";
export const domain = ringDomain(31337, RING);
export const [alice, bob] = [Wallet.createRandom(), Wallet.createRandom()] as const;

export async function proposal(round: number, prevHead: string, cut: CutHead[]): Promise<ProposalEntry> {
  const node = await ringNodeOf(RING, round, prevHead, cut, ZERO_ADDRESS, []);
  return { type: PROPOSAL_ENTRY, round, prevHead, cut, jobs: [], gate: ZERO_ADDRESS, ringNodeHead: node.head };
}

export async function logOf(wallet: HDNodeWallet, entries: unknown[]): Promise<ReplayLog> {
  const nodes: EncodedLogNode[] = [];
  for (const [seq, payload] of entries.entries()) {
    const prev = nodes.at(-1);
    nodes.push(await signLogNode({ v: LOG_NODE_VERSION, ring: RING, author: wallet.address, seq, prev: prev === undefined ? [] : [prev.cid], payload }, wallet, domain));
  }
  return { author: wallet.address, nodes, entries };
}

export const message = (txt: string) => ({ message: { app: "chat", payload: { txt } } });
export const head = (log: ReplayLog, seq: number): CutHead => ({ author: log.author, seq, cid: (log.nodes[seq] as EncodedLogNode).cid });

/** Two rounds: round 1 covers alice #1 and bob #0, round 2 alice #2 and bob #2; bob logs round 1's proposal, alice round 2's. */
export async function world(options: { roundOneCut?: (a: ReplayLog, b: ReplayLog) => CutHead[] } = {}) {
  const a0 = await logOf(alice, [message("a0"), message("a1"), message("a2")]);
  const b0 = await logOf(bob, [message("b0")]);
  const first = await proposal(1, ZeroHash, options.roundOneCut?.(a0, b0) ?? [head(a0, 1), head(b0, 0)]);
  const b = await logOf(bob, [message("b0"), first, message("b2")]);
  const second = await proposal(2, first.ringNodeHead, [head(a0, 2), head(b, 2)]);
  const a = await logOf(alice, [message("a0"), message("a1"), message("a2"), second]);
  const logs = new Map([a, b].map((log) => [log.author.toLowerCase(), log] as const));
  return { logs, heads: [ZeroHash, first.ringNodeHead, second.ringNodeHead], first, second, a, b };
}

export function chainOf(heads: readonly string[], unavailable: ReadonlySet<number> = new Set()) {
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

