/**
 * A round's proposal and the ring log node it commits (core/ringLogNode.ts v3): how the relayer
 * builds the node, how every member checks a logged proposal against the ring head it claims, and
 * how a replaying client checks one against the head the chain holds (rounds/roundContent.ts
 * re-exports these).
 */
import { getAddress } from "ethers";
import { cidToBytes32 } from "./cid.js";
import type { Outputs } from "./eip712.js";
import { encodeRingLogNode, type EncodedRingLogNode } from "./ringLogNode.js";
import { NO_OUTPUTS } from "./ringVotes.js";
import type { CutHead, ProposalEntry, ProposedJob } from "./roundsEntries.js";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The round's Outputs: each job's output CID on its pin of the ring's gate (none without a gate). */
export function outputsOf(gate: string, jobs: readonly ProposedJob[]): Outputs {
  if (getAddress(gate) === ZERO_ADDRESS || jobs.length === 0) return NO_OUTPUTS;
  return { gate: getAddress(gate), pins: jobs.map((job) => BigInt(job.pin)), cids: jobs.map((job) => cidToBytes32(job.output)) };
}

/** The ring log node of a round (its CID's digest is the ring head the votes sign): the cut, the Gate outputs and which job made each output. */
export function ringNodeOf(ring: string, round: number, prevHead: string, cut: readonly CutHead[], gate: string, jobs: readonly ProposedJob[]): Promise<EncodedRingLogNode> {
  const memberHeads: Record<string, string> = {};
  for (const head of cut) memberHeads[head.author] = cidToBytes32(head.cid);
  return encodeRingLogNode({ ring, round, prevHead, memberHeads, outputs: outputsOf(gate, jobs), jobs: jobs.map(({ job, output }) => ({ job, output })) });
}

/**
 * Whether a proposal is what the ring head it claims commits: its ring log node, rebuilt from its
 * round, previous head, cut, gate and jobs, has that head. Anyone can write a proposal entry that
 * names a flushed head; only one that rebuilds to it tells which cut and which job outputs the
 * signers agreed on.
 */
export async function proposalMatchesHead(ring: string, proposal: ProposalEntry): Promise<boolean> {
  const node = await ringNodeOf(ring, proposal.round, proposal.prevHead, proposal.cut, proposal.gate, proposal.jobs);
  return node.head.toLowerCase() === proposal.ringNodeHead.toLowerCase();
}

