/**
 * The relayer's side of a round. The relayer of a round is members[round mod n], the next one after
 * every relayer timeout without a flush (relayerTurns.ts). Once open jobs have a majority result
 * for every shard (or messages wait for a round: roundWork.ts), it reduces them, appends a proposal (the cut of member
 * heads it holds, the jobs, the ring log node's head), asks every connected member for its vote
 * under the ring's membership epoch and, with 2/3 matching votes of that epoch (quorum.ts), calls
 * the ring's flush (voteScheme.ts: Ring.flush with votes and dissents, or a BLS ring's aggregate),
 * then tells the members. When the member list changes before the flush lands, the votes no longer
 * count: the relayer signs again and asks again under the new epoch. On a chain that mines on an
 * interval the relayer gathers ready jobs until just before the next block (blockClock.ts), so one
 * flush carries every job ready by then (at most the flush gas limit's: flushBudget.ts); members
 * are told when the flush is sent, and the relayer timeout counts from then and spans a block.
 */
import type { Libp2p } from "@libp2p/interface";
import { getAddress } from "ethers";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import { cidToBytes32 } from "../core/cid.js";
import type { Outputs } from "../core/eip712.js";
import type { SignedDissent, SignedVote } from "../core/ringVotes.js";
import type { RingIdentity } from "../identity/identity.js";
import type { OwnLog } from "../log/ownLog.js";
import type { LogStore } from "../log/store.js";
import type { LogBlockstore } from "../p2p/blockstore.js";
import { PROPOSAL_ENTRY, type ProposalEntry, type ProposedJob } from "./entries.js";
import type { Finalisation } from "./finalisation.js";
import type { JobBook, KnownJob } from "./jobBook.js";
import type { JobCompute } from "./jobCompute.js";
import { memberPeers } from "./memberPeers.js";
import { flushDecision } from "./quorum.js";
import { currentCut, cutSeqs, majorityShards, outputsOf, readyJobs, ringNodeOf, type ReduceCache } from "./roundContent.js";
import type { RelayerTurns } from "./relayerTurns.js";
import { askPeer, type RoundsAnswer, type RoundsRequest } from "./roundsProtocol.js";
import type { BlockClock } from "./blockClock.js";
import { keptAnswer, type AskedVote } from "./voteCollection.js";
import type { RoundsTrace } from "./roundsTrace.js";
import { signRoundVote, type VoteScheme } from "./voteScheme.js";

export interface RelayerComponents {
  chain: Pick<RingChainView, "ring" | "domain" | "members" | "isMember" | "round" | "ringNodeHead" | "membershipEpoch" | "poll">;
  logs: Pick<LogStore, "head">;
  ownLog: Pick<OwnLog, "head" | "append">;
  blocks: Pick<LogBlockstore, "putBytes">;
  streams: Pick<Libp2p, "dialProtocol" | "getConnections">;
  signer: Pick<RingIdentity, "address" | "wallet">;
}

export interface RelayerOptions {
  book: Pick<JobBook, "shardResults" | "shardResultsWithin" | "noteProposal">;
  compute: Pick<JobCompute, "shape" | "majority">;
  reduces: Pick<ReduceCache, "reduce" | "reduceIfInputs">;
  /** How votes are signed, checked and flushed: the ring's scheme (voteScheme.ts). */
  scheme: VoteScheme;
  finalisation: Pick<Finalisation, "onFlushedHere" | "apply">;
  gate: string;
  /** Whose turn it is to relay a round (the relayer timeouts). */
  turns: RelayerTurns;
  voteWaitMs: number;
  /** Most jobs one round finalises (the flush gas limit's bound: flushBudget.ts). */
  maxJobs: () => number;
  /** When the chain's next block comes: a round waits for it to fill (blockClock.ts). */
  clock: Pick<BlockClock, "gather" | "flushed">;
  /** Whether work other than jobs (messages) waits for a round: then a round is proposed without jobs. */
  waiting: () => boolean;
  /** Something about `jobId` changed here. */
  notify: (jobId: string) => void;
  kick: () => void;
  signal: AbortSignal;
  logger: Logger;
  trace: RoundsTrace;
}

interface RelayState {
  entry: ProposalEntry;
  outputs: Outputs;
  headsRoot: string; // of the ring log node: a BLS ring's votes sign it
  /** The membership epoch the votes are collected under (the relayer's own included). */
  membershipEpoch: bigint;
  /** The own log head the relayer votes with. */
  voteHead: string;
  votes: Map<string, SignedVote>;
  dissents: Map<string, SignedDissent>;
  asking: Set<string>;
  askedAt: Map<string, number>;
  flushing: boolean;
  startedAt: number; // when the relayer started the proposal (Date.now())
  quorumAt?: number; // when the votes first reached 2/3
}

export class Relayer {
  private readonly relaying = new Map<number, RelayState>();

  constructor(
    private readonly components: RelayerComponents,
    private readonly options: RelayerOptions,
  ) {}

  private get turns(): RelayerTurns {
    return this.options.turns;
  }

  private get self(): string {
    return this.components.signer.address;
  }

  private nextRound = (): number => Number(this.components.chain.round()) + 1;

  /** Proposes the next round from `openJobs` when this member is its relayer now. */
  async maybePropose(openJobs: readonly KnownJob[]): Promise<void> {
    const { book, compute, reduces, signal } = this.options;
    const isMember = (address: string) => this.components.chain.isMember(address);
    const round = this.nextRound();
    for (const key of this.relaying.keys()) if (key < round) this.relaying.delete(key);
    // Every member reduces as soon as it can, so the relayer's vote request finds it done.
    const ready = readyJobs(openJobs, book, compute, isMember, (job, shards) => void reduces.reduce(book, job, shards, signal).catch(() => undefined));
    if (ready.length === 0 && !this.options.waiting()) return this.turns.idle();
    const attempts = this.turns.attempts(round);
    const current = this.relaying.get(round);
    // A proposal of ours that is still collecting votes keeps going; after a timeout we may add a fresh one.
    if (current !== undefined && attempts === 0) return;
    if (current !== undefined && current.flushing) return;
    if (this.turns.relayerOf(round, attempts) !== this.self) return;
    if (current !== undefined && this.turns.hasProposed(round, attempts)) return;
    const maxJobs = this.options.maxJobs();
    // Gather until just before the next block, unless a full flush is ready already.
    const waitMs = this.options.clock.gather(ready.length >= maxJobs, this.options.kick);
    if (waitMs !== null) return this.options.trace("gather", { round, ready: ready.length, ms: waitMs });
    this.turns.proposedAt(round, attempts);
    await this.propose(round, ready.slice(0, maxJobs));
  }

  private async propose(round: number, jobs: KnownJob[]): Promise<void> {
    const { chain, blocks, ownLog } = this.components;
    const { book, compute, reduces, gate, logger, trace } = this.options;
    const startedAt = Date.now();
    trace("propose start", { round });
    const cut = currentCut(chain.members(), this.components.logs);
    const seqs = cutSeqs(cut);
    const proposed: ProposedJob[] = [];
    for (const job of jobs) {
      if (job.seq > (seqs.get(job.submitter) ?? -1)) continue;
      const shards = majorityShards(book, compute, job, (address) => chain.isMember(address), seqs);
      if (shards === null) continue;
      const output = await reduces.reduceIfInputs(book, job, shards, this.options.signal, logger);
      if (output === null) continue;
      await blocks.putBytes(output.cid, output.bytes);
      proposed.push({ job: job.entry.job, shards, output: output.cid, pin: job.entry.pin });
    }
    if (proposed.length === 0 && !this.options.waiting()) return;
    const prevHead = chain.ringNodeHead();
    const outputs = outputsOf(gate, proposed);
    const ringNode = await ringNodeOf(chain.ring, round, prevHead, cut, gate, proposed);
    await blocks.putBytes(ringNode.cid, ringNode.bytes);
    const entry: ProposalEntry = { type: PROPOSAL_ENTRY, round, prevHead, cut, jobs: proposed, gate: getAddress(gate), ringNodeHead: ringNode.head };
    book.noteProposal(this.self, entry);
    // The relayer votes with its head before the proposal; the proposal itself is logged while the
    // members vote (so everyone, also later, can tell which jobs a flushed ring head finalised).
    const heldHead = ownLog.head();
    const appending = ownLog.append(entry);
    const voteHead = heldHead?.cid ?? (await appending).cid; // an empty own log: the proposal's node is the head
    appending.catch((error: unknown) => logger.warn({ err: error, round }, "could not log the proposal"));
    const membershipEpoch = chain.membershipEpoch();
    const ownHead = cidToBytes32(voteHead);
    const asked = { domain: chain.domain, round: BigInt(round), membershipEpoch, ringNodeHead: ringNode.head, headsRoot: ringNode.node.headsRoot, outputs };
    const vote = await signRoundVote(this.components.signer.wallet, this.options.scheme, asked, ownHead);
    // The own vote counts as the others do: in a BLS ring, only once the own key is registered.
    const votes = new Map((await this.options.scheme.accept(asked, this.self, vote, this.options.signal)) ? [[this.self, vote]] : []);
    const state: RelayState = { entry, outputs, headsRoot: ringNode.node.headsRoot, membershipEpoch, voteHead: ownHead, votes, dissents: new Map(), asking: new Set(), askedAt: new Map(), flushing: false, startedAt };
    this.relaying.set(round, state);
    trace("proposal appended", { round });
    logger.info({ round, jobs: proposed.length, ringNodeHead: ringNode.head }, "proposed a round");
    for (const job of proposed) this.options.notify(job.job.toString());
    this.askForVotes();
  }

  /** Asks every connected member that has not answered the current proposal (at most once a second each). */
  askForVotes(): void {
    const round = this.nextRound();
    const state = this.relaying.get(round);
    if (state === undefined || state.flushing) return;
    this.renewEpoch(state);
    const now = Date.now();
    const peers = memberPeers(this.components, this.self);
    for (const member of this.components.chain.members()) {
      if (member === this.self || state.votes.has(member) || state.dissents.has(member) || state.asking.has(member)) continue;
      if (now - (state.askedAt.get(member) ?? 0) < 1_000) continue;
      const peer = peers.get(member);
      if (peer === undefined) continue;
      state.asking.add(member);
      state.askedAt.set(member, now);
      const { membershipEpoch } = state;
      const request: RoundsRequest = { kind: "vote", ring: this.components.chain.ring, proposal: state.entry, membershipEpoch };
      this.options.trace("vote asked", { round, member });
      void askPeer(this.components.streams, peer, request, this.options.voteWaitMs + 5_000)
        .then((answer) => this.receiveAnswer(state, member, membershipEpoch, answer))
        .catch((error: unknown) => this.options.logger.debug({ err: error, member }, "vote request failed"))
        .finally(() => state.asking.delete(member));
    }
    void this.maybeFlush(state);
  }

  /**
   * The member list changed since `state`'s votes were signed, so none of them counts any more:
   * forget them, sign the own vote again under the new epoch and let askForVotes ask everyone again.
   */
  private renewEpoch(state: RelayState): void {
    const epoch = this.components.chain.membershipEpoch();
    if (epoch === state.membershipEpoch) return;
    this.options.logger.info({ round: state.entry.round, from: state.membershipEpoch, to: epoch }, "membership changed: collecting the votes again");
    Object.assign(state, { membershipEpoch: epoch, votes: new Map(), dissents: new Map(), askedAt: new Map(), quorumAt: undefined });
    void signRoundVote(this.components.signer.wallet, this.options.scheme, this.asked(state, epoch), state.voteHead).then(async (vote) => {
      if (!(await this.options.scheme.accept(this.asked(state, epoch), this.self, vote, this.options.signal)) || state.membershipEpoch !== epoch) return;
      state.votes.set(this.self, vote);
      void this.maybeFlush(state);
    }, (error: unknown) => this.options.logger.warn({ err: error }, "could not sign the vote again"));
  }

  private asked(state: RelayState, membershipEpoch = state.membershipEpoch): AskedVote {
    return { domain: this.components.chain.domain, round: BigInt(state.entry.round), membershipEpoch, ringNodeHead: state.entry.ringNodeHead, headsRoot: state.headsRoot, outputs: state.outputs };
  }

  private async receiveAnswer(state: RelayState, member: string, askedEpoch: bigint, answer: RoundsAnswer): Promise<void> {
    const { logger } = this.options;
    this.options.trace("answer", { member, kind: answer.kind, round: state.entry.round });
    // An answer to a request of an epoch since left behind would not count on chain.
    if (askedEpoch !== state.membershipEpoch) return;
    const asked = this.asked(state, askedEpoch);
    const kept = keptAnswer(asked, member, answer);
    if (kept?.kind === "vote") {
      const bls = answer.kind === "vote" ? answer.vote.bls : undefined;
      const vote = bls instanceof Uint8Array ? { ...kept.vote, bls } : kept.vote;
      if (!(await this.options.scheme.accept(asked, member, vote, this.options.signal)) || askedEpoch !== state.membershipEpoch) return;
      state.votes.set(member, vote);
      void this.maybeFlush(state);
    } else if (kept?.kind === "dissent") {
      state.dissents.set(member, kept.dissent);
      logger.info({ member, round: state.entry.round }, "member dissents");
      void this.maybeFlush(state);
    } else if (answer.kind === "refuse") {
      logger.debug({ member, reason: answer.reason, round: state.entry.round }, "member did not vote yet");
    }
  }

  private async maybeFlush(state: RelayState): Promise<void> {
    const { chain } = this.components;
    const { logger, trace, finalisation } = this.options;
    if (state.flushing || state.entry.round !== this.nextRound()) return;
    this.renewEpoch(state);
    const peers = memberPeers(this.components, this.self);
    const decision = flushDecision({
      members: chain.members(),
      isMember: (address) => chain.isMember(address),
      membershipEpoch: chain.membershipEpoch(),
      votes: state.votes,
      dissents: state.dissents,
      reachable: (member) => member === this.self || peers.has(member),
      quorumAt: state.quorumAt,
      now: Date.now(),
    });
    if (decision.kind === "collect") return;
    state.quorumAt = decision.quorumAt;
    if (decision.kind === "grace") {
      setTimeout(() => void this.maybeFlush(state), decision.retryInMs);
      return;
    }
    const { votes, dissents } = decision;
    state.flushing = true;
    trace("flush start", { round: state.entry.round });
    try {
      let sentAt = Date.now();
      const onSent = (tx: string) => ((sentAt = Date.now()), this.tell({ kind: "sent", ring: chain.ring, round: state.entry.round, ringNodeHead: state.entry.ringNodeHead, tx }));
      const sent = await this.options.scheme.flush(this.asked(state), votes, dissents, this.options.signal, onSent);
      this.options.clock.flushed(state.startedAt, sentAt, Date.now());
      logger.info({ round: state.entry.round, tx: sent.hash, gas: sent.gasUsed.toString(), votes: votes.length, dissents: dissents.length }, "flushed a round");
      trace("flush mined", { round: state.entry.round });
      finalisation.onFlushedHere(state.entry.round, state.entry.ringNodeHead, sent.hash);
      this.tell({ kind: "flushed", ring: chain.ring, round: state.entry.round, ringNodeHead: state.entry.ringNodeHead, tx: sent.hash });
      await chain.poll().catch(() => undefined);
      finalisation.apply();
      this.options.kick();
    } catch (error) {
      logger.info({ err: error, round: state.entry.round }, "flush not sent (another relayer was first?)");
      await chain.poll().catch(() => undefined);
      state.flushing = false;
      // Reverted because the member list changed meanwhile? Then the votes are collected again.
      this.renewEpoch(state);
      this.askForVotes();
    }
  }

  private tell(request: RoundsRequest): void {
    for (const peer of memberPeers(this.components, this.self).values()) void askPeer(this.components.streams, peer, request, 5_000).catch(() => undefined);
  }
}
