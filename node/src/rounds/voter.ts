/**
 * A member's side of a round: the relayer asks for a vote on its proposal under a membership
 * epoch; the member refuses unless that is the epoch its chain view holds, checks the proposal
 * against its own replicas (voteChecks.ts), waits (bounded) until it holds the proposal's cut,
 * reduces each job itself and signs the Vote with its own log head (and, in a BLS ring, the
 * round's AggregateVote with its BLS key) when its ring head equals the proposal's, or a dissent
 * over what it computed when it differs.
 */
import { getAddress } from "ethers";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import { cidToBytes32 } from "../core/cid.js";
import { outputsHash } from "../core/eip712.js";
import { signDissent, voteMessage } from "../core/ringVotes.js";
import type { RingIdentity } from "../identity/identity.js";
import type { OwnLog } from "../log/ownLog.js";
import type { LogStore } from "../log/store.js";
import type { LogBlockstore } from "../p2p/blockstore.js";
import type { Replicator } from "../replication/replicator.js";
import type { CutHead, ProposedJob } from "./entries.js";
import type { JobBook } from "./jobBook.js";
import type { JobCompute } from "./jobCompute.js";
import { outputsOf, ringNodeOf, type ReduceCache } from "./roundContent.js";
import type { RoundsAnswer, RoundsRequest } from "./roundsProtocol.js";
import { checkMembershipEpoch, checkProposalFrame, checkProposalJobs, proposalIsCurrent } from "./voteChecks.js";
import { signRoundVote, type VoteScheme } from "./voteScheme.js";

/** A relayer's request for this member's vote: the proposal and the membership epoch to sign under. */
export type VoteRequest = Pick<Extract<RoundsRequest, { kind: "vote" }>, "proposal" | "membershipEpoch">;

export interface VoterComponents {
  chain: Pick<RingChainView, "ring" | "domain" | "isMember" | "round" | "ringNodeHead" | "membershipEpoch" | "poll">;
  logs: Pick<LogStore, "holds" | "onKept">;
  ownLog: Pick<OwnLog, "head">;
  blocks: Pick<LogBlockstore, "putBytes">;
  replicator: Pick<Replicator, "want">;
  signer: Pick<RingIdentity, "address" | "wallet">;
}

export interface VoterOptions {
  book: Pick<JobBook, "job" | "shardResults" | "shardResultsWithin" | "scan" | "noteProposal">;
  compute: Pick<JobCompute, "shape" | "majority">;
  reduces: Pick<ReduceCache, "reduce">;
  gate: string;
  /** How long to wait for the proposal's cut to replicate before refusing. */
  voteWaitMs: number;
  isFinalised: (jobId: string) => boolean;
  /** What a vote carries beside its ECDSA signature (a BLS ring: the BLS signature); none by default. */
  scheme?: Pick<VoteScheme, "extra">;
  logger: Logger;
}

export class Voter {
  /** Answers by membership epoch and proposal (ring head): the relayer may ask again; a refusal is not kept. */
  private readonly answers = new Map<string, Promise<RoundsAnswer>>();

  constructor(
    private readonly components: VoterComponents,
    private readonly options: VoterOptions,
  ) {}

  /** The answer to `proposer`'s vote request (one computation per proposal). */
  answer(proposer: string, request: VoteRequest, signal: AbortSignal): Promise<RoundsAnswer> {
    const key = `${request.membershipEpoch}/${request.proposal.ringNodeHead.toLowerCase()}`;
    let pending = this.answers.get(key);
    if (pending === undefined) {
      pending = this.vote(proposer, request, signal);
      this.answers.set(key, pending);
      void pending.then((answer) => answer.kind === "refuse" && this.answers.delete(key), () => this.answers.delete(key));
      if (this.answers.size > 256) this.answers.delete(this.answers.keys().next().value as string);
    }
    return pending;
  }

  /** Checks a proposal against this node's own replicas and computation; votes, dissents or refuses. */
  private async vote(proposer: string, request: VoteRequest, signal: AbortSignal): Promise<RoundsAnswer> {
    const { chain, signer } = this.components;
    const { book, gate } = this.options;
    const { proposal, membershipEpoch } = request;
    const behind = !proposalIsCurrent(proposal, this.frame()) || checkMembershipEpoch(membershipEpoch, chain.membershipEpoch()) !== null;
    if (chain.isMember(signer.address) && behind) await chain.poll().catch(() => undefined);
    const epochRefusal = checkMembershipEpoch(membershipEpoch, chain.membershipEpoch());
    if (epochRefusal !== null) return { kind: "refuse", reason: epochRefusal };
    const frameRefusal = checkProposalFrame(proposal, this.frame());
    if (frameRefusal !== null) return { kind: "refuse", reason: frameRefusal };
    if (!(await this.holdCut(proposal.cut, signal))) return { kind: "refuse", reason: "cut not replicated yet" };
    const checked = checkProposalJobs(proposal, { book, compute: this.options.compute, isMember: (address) => chain.isMember(address), isFinalised: this.options.isFinalised });
    if (checked.kind === "refuse") return checked;
    const mine: ProposedJob[] = [];
    for (const { proposed, job, shards } of checked.jobs) {
      const output = await this.options.reduces.reduce(book, job, shards, signal);
      void this.components.blocks.putBytes(output.cid, output.bytes).catch(() => undefined);
      mine.push({ job: proposed.job, shards, output: output.cid, pin: job.entry.pin });
    }
    const outputs = outputsOf(gate, mine);
    const ringNode = await ringNodeOf(chain.ring, proposal.round, proposal.prevHead, proposal.cut, gate, mine);
    const logHead = this.components.ownLog.head();
    if (logHead === null) return { kind: "refuse", reason: "empty own log" };
    // The member list may have changed while the cut replicated: a vote of the old epoch would not count.
    const movedOn = checkMembershipEpoch(membershipEpoch, chain.membershipEpoch());
    if (movedOn !== null) return { kind: "refuse", reason: movedOn };
    const message = voteMessage(BigInt(proposal.round), membershipEpoch, ringNode.head, outputs, cidToBytes32(logHead.cid));
    if (ringNode.head.toLowerCase() === proposal.ringNodeHead.toLowerCase()) {
      // Rebuilt here from this member's own results: the proposal is what its head commits.
      book.noteProposal(proposer, proposal);
      void this.components.blocks.putBytes(ringNode.cid, ringNode.bytes).catch(() => undefined);
      const asked = { domain: chain.domain, round: message.round, membershipEpoch, ringNodeHead: ringNode.head, headsRoot: ringNode.node.headsRoot, outputs };
      return { kind: "vote", vote: await signRoundVote(signer.wallet, this.options.scheme ?? NO_EXTRA, asked, message.logHead) };
    }
    this.options.logger.warn({ round: proposal.round, proposer, mine: ringNode.head, theirs: proposal.ringNodeHead, outputsHash: outputsHash(outputs) }, "proposal differs from my computation: dissenting");
    return { kind: "dissent", dissent: await signDissent(signer.wallet, chain.domain, message) };
  }

  private frame() {
    const { chain, signer } = this.components;
    return {
      selfIsMember: chain.isMember(signer.address),
      nextRound: Number(chain.round()) + 1,
      ringNodeHead: chain.ringNodeHead(),
      gate: this.options.gate,
      isMember: (address: string) => chain.isMember(address),
    };
  }

  /** Waits (bounded) until every head of the cut is held here, asking replication for the missing ones. */
  private async holdCut(cut: readonly CutHead[], signal: AbortSignal): Promise<boolean> {
    const { logs, replicator, signer } = this.components;
    const deadline = Date.now() + this.options.voteWaitMs;
    let asked = false;
    for (;;) {
      const missing = cut.filter((head) => !logs.holds(head.author, head.seq, head.cid));
      if (missing.length === 0) {
        await this.options.book.scan();
        return true;
      }
      if (Date.now() > deadline || signal.aborted) return false;
      if (!asked) {
        for (const head of missing) if (getAddress(head.author) !== signer.address) replicator.want(head.author, head.cid, "exchange");
        asked = true;
      }
      await nextKeptOrAfter(logs, 50, signal);
    }
  }
}

const NO_EXTRA: Pick<VoteScheme, "extra"> = { extra: () => undefined };

/** Resolves when the store next keeps nodes (the cut may be complete now), after `ms` at the latest, or on abort. */
function nextKeptOrAfter(logs: Pick<LogStore, "onKept">, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = logs.onKept(done);
    signal.addEventListener("abort", done, { once: true });
  });
}
