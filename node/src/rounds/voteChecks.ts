/**
 * A member's checks of a relayer's proposal, as pure functions of what the member holds: they
 * return the reason to refuse, or what the member accepts and will reduce and sign itself. The
 * voter (voter.ts) runs the frame checks, waits until it holds the proposal's cut, then runs the
 * job checks; refusing is not dissenting (the relayer may ask again once the member caught up).
 */
import { getAddress } from "ethers";
import type { CID } from "multiformats/cid";
import type { ProposalEntry, ProposedJob } from "./entries.js";
import type { JobBook, KnownJob } from "./jobBook.js";
import type { JobCompute } from "./jobCompute.js";
import { cutSeqs, majorityShards } from "./roundContent.js";

/** What the frame checks compare a proposal with: this member and the chain as it sees them. */
export interface ProposalFrameView {
  /** Whether this member is a member now. */
  selfIsMember: boolean;
  /** The round after the chain's last flushed round. */
  nextRound: number;
  /** The chain's ring log head. */
  ringNodeHead: string;
  /** The Gate this member's rounds put outputs on. */
  gate: string;
  isMember: (address: string) => boolean;
}

/** Whether the proposal is for the round and ring head the chain has now. */
export function proposalIsCurrent(proposal: ProposalEntry, view: Pick<ProposalFrameView, "nextRound" | "ringNodeHead">): boolean {
  return proposal.round === view.nextRound && proposal.prevHead.toLowerCase() === view.ringNodeHead.toLowerCase();
}

/**
 * Whether a vote request's membership epoch is the one this member's chain view holds. A vote
 * signed under another epoch never counts on chain (the member list it was asked for is not the
 * ring's), so the member refuses instead of signing it. Null: the epochs agree.
 */
export function checkMembershipEpoch(requested: bigint, current: bigint): string | null {
  return requested === current ? null : `membership epoch ${requested} is not the ring's ${current}`;
}

/** The frame: this member, the round, the previous ring head, the gate, the cut's authors. Null: nothing to refuse. */
export function checkProposalFrame(proposal: ProposalEntry, view: ProposalFrameView): string | null {
  if (!view.selfIsMember) return "not a member";
  if (proposal.round !== view.nextRound) return `round ${proposal.round} is not the next round ${view.nextRound}`;
  if (proposal.prevHead.toLowerCase() !== view.ringNodeHead.toLowerCase()) return "previous ring head differs";
  if (getAddress(proposal.gate) !== getAddress(view.gate)) return "another gate";
  for (const head of proposal.cut) if (!view.isMember(head.author)) return `${head.author} in the cut is not a member`;
  return null;
}

/** What the job checks read: the jobs and shard results in the logs held here (the cut held). */
export interface ProposalJobsView {
  book: Pick<JobBook, "job" | "shardResults" | "shardResultsWithin">;
  compute: Pick<JobCompute, "shape" | "majority">;
  isMember: (address: string) => boolean;
  isFinalised: (jobId: string) => boolean;
}

/** A proposed job this member accepts: its own majority shard results within the cut. */
export interface AcceptedJob {
  proposed: ProposedJob;
  job: KnownJob;
  shards: CID[];
}

export type JobsCheck = { kind: "refuse"; reason: string } | { kind: "accept"; jobs: AcceptedJob[] };

/** Every proposed job: in the cut, not finalised, going to its own pin, every shard with a majority within the cut. */
export function checkProposalJobs(proposal: ProposalEntry, view: ProposalJobsView): JobsCheck {
  const seqs = cutSeqs(proposal.cut);
  const jobs: AcceptedJob[] = [];
  for (const proposed of proposal.jobs) {
    const id = proposed.job.toString();
    const job = view.book.job(id);
    if (job === undefined || job.seq > (seqs.get(job.submitter) ?? -1)) return { kind: "refuse", reason: `job ${id} is not in the cut` };
    if (view.isFinalised(id)) return { kind: "refuse", reason: `job ${id} is already finalised` };
    if (proposed.pin !== job.entry.pin) return { kind: "refuse", reason: `job ${id} goes to pin ${job.entry.pin}` };
    const shards = majorityShards(view.book, view.compute, job, view.isMember, seqs);
    if (shards === null) return { kind: "refuse", reason: `job ${id} has a shard without majority in the cut` };
    jobs.push({ proposed, job, shards });
  }
  return { kind: "accept", jobs };
}
