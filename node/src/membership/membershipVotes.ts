/**
 * Admitting and removing members by the members' 2/3 vote, through their logs:
 *
 * 1. a member proposes (`ring-node members propose-add|propose-remove`): the proposal and the
 *    proposer's own signature go into its log;
 * 2. every member's node finds proposals in the logs it replicates, checks each (current epoch,
 *    deadline, the candidate's proof of its key, membership) and appends its signature;
 * 3. a node that holds 2/3 valid signatures submits `enterByVote` / `exitByVote` — the signers in
 *    address order take turns, `submitDelayMs` apart, so one transaction usually lands and the
 *    others see the epoch move on (their simulation then refuses, unsent).
 *
 * Nothing here is trusted from a peer: signatures are recovered and must be their log's author's.
 */
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import { RingWriter } from "../chain/index.js";
import { orderBySigner, signMembership } from "../core/ringVotes.js";
import type { RingIdentity } from "../identity/identity.js";
import type { OwnLog } from "../log/ownLog.js";
import type { LogStore } from "../log/store.js";
import type { Replicator } from "../replication/replicator.js";
import { asMembershipEntry, PROPOSAL, toPayload, VOTE, type Motion, type ProposalEntry, type VoteEntry } from "./entries.js";
import { CandidacyError, InvalidProposalError } from "./errors.js";
import { motionProblem, tallyMotions, type MotionState, type RingState } from "./tally.js";

const SENTINEL = "0x0000000000000000000000000000000000000001";

export interface MembershipVotesComponents {
  chain: Pick<RingChainView, "ring" | "domain" | "provider" | "members" | "membershipEpoch">;
  logs: Pick<LogStore, "length" | "nodeAt">;
  ownLog: Pick<OwnLog, "append" | "onAppended">;
  replicator: Pick<Replicator, "onReplicated">;
  signer: Pick<RingIdentity, "address" | "wallet">;
  logger: Logger;
}

export interface MembershipVotesOptions {
  /** How long each signer waits after the one before it in address order before it submits. */
  submitDelayMs?: number;
  tickMs?: number;
  /** Unix seconds now (tests). */
  now?: () => bigint;
}

export class MembershipVotes {
  private readonly scanned = new Map<string, number>();
  private readonly proposals: Array<{ author: string; entry: ProposalEntry }> = [];
  private readonly votes: Array<{ author: string; entry: VoteEntry }> = [];
  private readonly signed = new Set<string>();
  private readonly submitted = new Set<string>();
  private readonly readySince = new Map<string, number>();
  private readonly writer: RingWriter;
  private readonly cleanups: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private tail: Promise<void> = Promise.resolve();
  private pending = false;

  constructor(
    private readonly components: MembershipVotesComponents,
    private readonly options: MembershipVotesOptions = {},
  ) {
    const { chain, signer } = components;
    this.writer = new RingWriter(chain.ring, signer.wallet, chain.provider);
  }

  start(): void {
    this.cleanups.push(this.components.replicator.onReplicated(() => this.kick()));
    this.cleanups.push(this.components.ownLog.onAppended(() => this.kick()));
    this.timer = setInterval(() => this.kick(), this.options.tickMs ?? 1_000);
    this.kick();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    await this.tail;
  }

  /** The membership epoch a proposal made now must carry. */
  epoch(): bigint {
    return this.components.chain.membershipEpoch();
  }

  /** Every motion seen in the logs, with its signers and whether it can still pass. */
  motions(): MotionState[] {
    return tallyMotions(this.proposals, this.votes, this.ringState());
  }

  /**
   * Proposes `motion` from this member: refused here (InvalidProposalError, CandidacyError) if it
   * could not pass; otherwise the proposal and this member's signature are appended to its log.
   */
  async propose(motion: Motion, candidacy?: string): Promise<MotionState> {
    const problem = motionProblem(motion, candidacy, this.ringState());
    if (problem !== null) throw problem.includes("candidacy") ? new CandidacyError(problem) : new InvalidProposalError(problem);
    return this.exclusive(async () => {
      await this.components.ownLog.append(toPayload({ type: PROPOSAL, ...motion, ...(candidacy === undefined ? {} : { candidacy }) }));
      await this.pass();
      await this.scan(); // this member's own signature, appended by the pass
      return this.motions().find((state) => state.member === motion.member && state.deadline === motion.deadline && state.enter === motion.enter) as MotionState;
    });
  }

  /** Runs `work` after every pass or proposal before it (scans and signatures never interleave). */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async pass(): Promise<void> {
    await this.scan();
    await this.act();
  }

  private ringState(): RingState {
    const { chain } = this.components;
    return { domain: chain.domain, members: chain.members(), membershipEpoch: chain.membershipEpoch(), now: this.options.now?.() ?? BigInt(Math.floor(Date.now() / 1000)) };
  }

  private kick(): void {
    if (this.pending) return;
    this.pending = true;
    void this.exclusive(async () => {
      this.pending = false;
      try {
        await this.pass();
      } catch (error) {
        this.components.logger.warn({ err: error }, "membership votes: pass failed");
      }
    });
  }

  /** Reads the entries appended to members' logs since the last scan. */
  private async scan(): Promise<void> {
    const { logs, chain } = this.components;
    for (const author of chain.members()) {
      const length = logs.length(author);
      for (let seq = this.scanned.get(author) ?? 0; seq < length; seq++) {
        const node = await logs.nodeAt(author, seq);
        const entry = node === null ? null : asMembershipEntry(node.node.payload);
        if (entry?.type === PROPOSAL) this.proposals.push({ author, entry });
        else if (entry?.type === VOTE) this.votes.push({ author, entry });
      }
      this.scanned.set(author, length);
    }
  }

  /** Signs every open motion not signed yet; submits those with 2/3 when it is this node's turn. */
  private async act(): Promise<void> {
    const { signer, chain, ownLog, logger } = this.components;
    for (const state of this.motions()) {
      if (state.closed !== null) continue;
      const mine = state.votes.some((vote) => vote.signer === signer.address) || this.signed.has(state.key);
      if (!mine) {
        this.signed.add(state.key);
        const signature = await signMembership(signer.wallet, chain.domain, state);
        await ownLog.append(toPayload({ type: VOTE, enter: state.enter, member: state.member, membershipEpoch: state.membershipEpoch, deadline: state.deadline, r: signature.r, vs: signature.vs }));
        logger.info({ motion: state.key }, "membership vote signed");
        continue;
      }
      if (state.votes.length >= state.required && !this.submitted.has(state.key) && this.myTurn(state)) {
        this.submitted.add(state.key);
        const members = chain.members();
        const index = members.indexOf(state.member);
        const prevMember = index <= 0 ? SENTINEL : (members[index - 1] as string);
        try {
          const sent = await this.writer.membershipVote({ ...state, prevMember, signatures: state.votes });
          logger.info({ motion: state.key, tx: sent.hash }, state.enter ? "member admitted by vote" : "member removed by vote");
        } catch (error) {
          logger.info({ motion: state.key, err: error }, "membership vote not submitted (another member's landed first, or it no longer passes)");
        }
      }
    }
  }

  /** Signers in address order take turns: the k-th submits `k * submitDelayMs` after the votes sufficed here. */
  private myTurn(state: MotionState): boolean {
    const since = this.readySince.get(state.key) ?? Date.now();
    this.readySince.set(state.key, since);
    const rank = Math.max(0, orderBySigner(state.votes).findIndex((vote) => vote.signer === this.components.signer.address));
    return Date.now() - since >= rank * (this.options.submitDelayMs ?? 3_000);
  }
}
