/**
 * The rounds of a replay, checked against the chain: a round's cut counts only when a proposal
 * logged by a member rebuilds (core/ringProposal.ts `proposalMatchesHead`) to the ring head the
 * chain holds for that round (`Ring.ringLog(round)`), and every head its cut names is the node the
 * replayed logs hold at that seq. From the newest round whose proposal the logs hold, each
 * proposal's `prevHead` names the round before, down to round 1 (whose prevHead is zero); where
 * the chain still keeps a round's head (recent rounds and checkpoints: older ones revert
 * RingLogUnavailable), it must be that one. Rounds above the newest logged proposal are not final
 * in the replay (a replica holds a round's proposal once a later round's cut covers it).
 */
import { isError, ZeroHash } from "ethers";
import type { EncodedLogNode } from "../core/logNode.js";
import type { RoundCut } from "../core/messageOrder.js";
import { proposalMatchesHead } from "../core/ringProposal.js";
import { asRoundsEntry, type ProposalEntry } from "../core/roundsEntries.js";
import type { RingReads } from "../chain/index.js";
import { ReplayCutMismatchError, ReplayIncompleteError } from "./errors.js";

/** One member's log as replayed: its verified nodes (seq 0 ... n-1) and each node's entry in plaintext. */
export interface ReplayLog {
  author: string;
  nodes: readonly EncodedLogNode[];
  entries: readonly unknown[];
}

export interface ChainCutsInput {
  ring: string;
  chain: Pick<RingReads, "round" | "ringLog">;
  /** By author, lower case. */
  logs: ReadonlyMap<string, ReplayLog>;
  signal?: AbortSignal;
  /** The most rounds read from the chain (default 100,000). */
  maxRounds?: number;
}

export interface ChainCuts {
  /** Rounds 1 ... finalRound, in order. */
  cuts: RoundCut[];
  /** The newest round whose cut the replay checked (0: none). */
  finalRound: number;
  /** The chain's round when the replay read it. */
  chainRound: number;
}

/** The cut of every round up to the newest whose proposal the logs hold, each checked against the chain. */
export async function chainCheckedCuts(input: ChainCutsInput): Promise<ChainCuts> {
  const read = input.signal === undefined ? {} : { signal: input.signal };
  const chainRound = Number(await input.chain.round(read));
  if (chainRound > (input.maxRounds ?? 100_000)) throw new RangeError(`the ring has ${chainRound} rounds, more than the ${input.maxRounds ?? 100_000} a replay reads`);
  const proposals = loggedProposals(input.logs);
  const cuts: RoundCut[] = [];
  let head: string | null = null;
  let finalRound = 0;
  for (let round = chainRound; round >= 1; round--) {
    const onChain = await ringLogIfKept(input.chain, round, read);
    if (head === null) {
      if (onChain === null || !proposals.has(onChain)) continue;
      head = onChain;
      finalRound = round;
    } else if (onChain !== null && onChain !== head) {
      throw new ReplayCutMismatchError(`round ${round}: the chain's ring head is ${onChain}, the proposal of round ${round + 1} names ${head} before it`);
    }
    const proposal = await matchingProposal(input.ring, proposals.get(head) ?? [], round);
    if (proposal === undefined) throw new ReplayIncompleteError(`round ${round}: no logged proposal rebuilds to the ring head ${head}`);
    cuts.push(checkedCut(proposal, input.logs));
    head = proposal.prevHead.toLowerCase();
  }
  if (head !== null && head !== ZeroHash) throw new ReplayCutMismatchError(`the proposal of round 1 names ${head} before it, not zero`);
  return { cuts: cuts.reverse(), finalRound, chainRound };
}

/** The chain's ring head of `round` (lower case), or null where the chain no longer keeps it (RingLogUnavailable). */
async function ringLogIfKept(chain: Pick<RingReads, "ringLog">, round: number, read: { signal?: AbortSignal }): Promise<string | null> {
  try {
    return (await chain.ringLog(round, read)).toLowerCase();
  } catch (error) {
    if (isError(error, "CALL_EXCEPTION")) return null;
    throw error;
  }
}

/** Every author a logged proposal's cut names (lower case): whose logs a replay needs besides the current members'. */
export function cutAuthors(logs: ReadonlyMap<string, ReplayLog>): Set<string> {
  const authors = new Set<string>();
  for (const proposals of loggedProposals(logs).values()) for (const proposal of proposals) for (const head of proposal.cut) authors.add(head.author.toLowerCase());
  return authors;
}

/** Every proposal entry in the logs, by the ring head it claims (lower case; several when members logged rivals). */
function loggedProposals(logs: ReadonlyMap<string, ReplayLog>): Map<string, ProposalEntry[]> {
  const found = new Map<string, ProposalEntry[]>();
  for (const log of logs.values()) {
    for (const entry of log.entries) {
      const parsed = asRoundsEntry(entry);
      if (parsed?.type !== "proposal") continue;
      const key = parsed.ringNodeHead.toLowerCase();
      found.set(key, [...(found.get(key) ?? []), parsed]);
    }
  }
  return found;
}

async function matchingProposal(ring: string, candidates: readonly ProposalEntry[], round: number): Promise<ProposalEntry | undefined> {
  for (const candidate of candidates) if (candidate.round === round && (await proposalMatchesHead(ring, candidate))) return candidate;
  return undefined;
}

/** The proposal's cut, once each head it names is the node the logs hold at that seq. */
function checkedCut(proposal: ProposalEntry, logs: ReadonlyMap<string, ReplayLog>): RoundCut {
  const heads = new Map<string, number>();
  const cids = new Map<string, string>();
  for (const head of proposal.cut) {
    const held = logs.get(head.author.toLowerCase())?.nodes[head.seq];
    if (held === undefined) throw new ReplayIncompleteError(`round ${proposal.round}: the cut names ${head.author} #${head.seq}, which the replayed logs do not hold`);
    if (!held.cid.equals(head.cid)) throw new ReplayCutMismatchError(`round ${proposal.round}: the cut names ${String(head.cid)} at ${head.author} #${head.seq}, the log holds ${held.cid.toString()}`);
    heads.set(head.author, head.seq);
    cids.set(head.author, head.cid.toString());
  }
  return { round: proposal.round, heads, cids };
}
