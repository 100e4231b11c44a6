/**
 * The rounds of one member. Everything it decides comes from the logs (jobs, shard results,
 * proposals: see jobBook.ts) and the chain (members, last round and ring head):
 *
 * 1. every member computes the shards the plan assigns it (more members join a shard whose result
 *    has no majority after each shard timeout) and appends each result to its own log;
 * 2. the round's relayer, members[round mod n] (the next one after every relayer timeout), once
 *    jobs have a majority result for every shard, reduces them, appends a proposal (the cut of
 *    member heads it holds, the jobs, the ring log node's head) and asks every member for its vote;
 * 3. a member checks the proposal against its own replicas (cut held, same majorities, its own
 *    reduce) and signs the Vote with its own log head, or signs a dissent over what it computed;
 * 4. with >= 2/3 matching votes the relayer calls Ring.flush (dissents recorded against their
 *    signers); every member follows the chain to the next round and marks the jobs done.
 *
 * Correctness never depends on the relayer: any member may propose after the timeouts, members
 * only sign what they computed themselves, and the chain accepts the first 2/3-signed flush.
 */
import type { PeerId } from "@libp2p/interface";
import { getAddress } from "ethers";
import type { CID } from "multiformats/cid";
import type { Logger } from "pino";
import type { RingEventRecord } from "../chain/ringChainView.js";
import { cidToBytes32 } from "../core/cid.js";
import { outputsHash } from "../core/eip712.js";
import { signLogNodeWithKey, type EncodedLogNode } from "../core/logNode.js";
import { requiredVotes, signDissent, signVote, voteMessage, type SignedDissent, type SignedVote } from "../core/ringVotes.js";
import { addressOfPeerId } from "../identity/identity.js";
import type { ForkEvidence } from "../log/forkEvidence.js";
import type { RingNode } from "../runtime/ringNode.js";
import { asRoundsEntry, PROPOSAL_ENTRY, SHARD_ENTRY, type CutHead, type ProposalEntry, type ProposedJob } from "./entries.js";
import type { Fault } from "./faults.js";
import { JobBook, type KnownJob } from "./jobBook.js";
import { LogPush } from "./logPush.js";
import type { JobCompute } from "./jobCompute.js";
import { cutSeqs, majorityShards, outputsOf, ReduceCache, ringNodeOf } from "./roundContent.js";
import { askPeer, ROUNDS_PROTOCOL, roundsHandler, type RoundsAnswer, type RoundsRequest } from "./roundsProtocol.js";
import { RingWriter } from "../chain/index.js";
import { connectedPeers } from "../p2p/connectedPeers.js";

export interface RoundEngineOptions {
  compute: JobCompute;
  /** The Gate outputs go to (zero address: rounds carry no on-chain outputs). */
  gate: string;
  /** After this long without a flush, the next member in line becomes the relayer. */
  relayerTimeoutMs?: number;
  /** After this long without a majority, a shard gets one more member. */
  shardTimeoutMs?: number;
  /** How long a member waits for the proposal's cut to replicate before refusing to vote. */
  voteWaitMs?: number;
  /** Most jobs one round finalises. */
  maxJobsPerRound?: number;
  tickMs?: number;
  faults?: ReadonlySet<Fault>;
}

export interface FinalisedJob {
  round: number;
  ringNodeHead: string;
  output: CID;
  tx: string | null;
}

interface RelayState {
  entry: ProposalEntry;
  outputs: ReturnType<typeof outputsOf>;
  votes: Map<string, SignedVote>;
  dissents: Map<string, SignedDissent>;
  asking: Set<string>;
  askedAt: Map<string, number>;
  flushing: boolean;
  /** When the votes first reached 2/3. */
  quorumAt?: number;
}

/**
 * How long a relayer with a quorum still waits for the other connected members' answers, so that
 * their dissents are recorded in the same flush. Healthy members answer within tens of ms, so this
 * costs nothing then; a dissenter re-running the reduce on a busy machine can take most of a second.
 */
const DISSENT_GRACE_MS = 1_500;

const TRACE = process.env.RING_NODE_TRACE_ROUNDS === "1";

export type JobListener = (jobId: string) => void;

export class RoundEngine {
  readonly book: JobBook;
  private readonly writer: RingWriter;
  private readonly reduces: ReduceCache;
  private readonly finalised = new Map<string, FinalisedJob>();
  /** round -> flushed ring head (from chain events and ringLog reads). */
  private readonly flushedHeads = new Map<number, { head: string; tx: string | null }>();
  private readonly computing = new Set<string>();
  /** "job/shard" -> when a member last said it is working on it (queued or running). */
  private readonly progress = new Map<string, number>();
  private lastHeartbeat = 0;
  private readonly computeQueue: Array<{ job: KnownJob; shard: number }> = [];
  private computeBusy = false;
  private readonly relaying = new Map<number, RelayState>();
  private readySince: { round: number; at: number } | null = null;
  private readonly voteCache = new Map<string, Promise<RoundsAnswer>>();
  private readonly listeners = new Set<JobListener>();
  private readonly controller = new AbortController();
  private readonly provingForks = new Set<string>();
  private forkedOnce = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private readonly cleanups: Array<() => void> = [];
  private readonly logger: Logger;
  private readonly relayerTimeoutMs: number;
  private readonly shardTimeoutMs: number;
  private readonly voteWaitMs: number;
  private readonly maxJobsPerRound: number;
  private readonly faults: ReadonlySet<Fault>;
  private readonly push: LogPush;

  constructor(
    private readonly node: RingNode,
    private readonly options: RoundEngineOptions,
  ) {
    this.book = new JobBook(node.store);
    this.writer = new RingWriter(node.chain.ring, node.identity.wallet, node.chain.provider);
    this.reduces = new ReduceCache(options.compute);
    this.logger = node.logger.child({ component: "rounds" });
    this.relayerTimeoutMs = options.relayerTimeoutMs ?? 4_000;
    this.shardTimeoutMs = options.shardTimeoutMs ?? 3_000;
    this.voteWaitMs = options.voteWaitMs ?? 5_000;
    this.maxJobsPerRound = options.maxJobsPerRound ?? 32;
    this.faults = options.faults ?? new Set();
    this.push = new LogPush({
      libp2p: node.helia.libp2p,
      store: node.store,
      replicator: node.replicator,
      domain: node.chain.domain,
      ring: node.chain.ring,
      isMember: this.isMember,
      onFork: (evidence) => void this.proveFork(evidence),
      logger: this.logger,
    });
  }

  /** Whether `address` is a member now (as the chain view has it). */
  readonly isMember = (address: string): boolean => this.node.chain.isMember(address);

  get self(): string {
    return this.node.identity.address;
  }

  async start(): Promise<void> {
    const { helia, chain, replicator, log } = this.node;
    await helia.libp2p.handle(
      ROUNDS_PROTOCOL,
      roundsHandler({
        ring: chain.ring,
        isMemberPeer: (peer) => this.isMemberPeer(peer),
        answer: (peer, request, signal) => this.answer(peer, request, signal),
        timeoutMs: 10_000,
        answerTimeoutMs: this.voteWaitMs + 5_000,
        logger: this.logger,
      }),
      { runOnLimitedConnection: false },
    );
    this.cleanups.push(replicator.onReplicated(() => this.kick()));
    this.cleanups.push(
      log.onAppended((nodes) => {
        // Rounds entries go straight to the members; everything else waits for replication.
        if (nodes.some((node) => asRoundsEntry(node.node.payload) !== null)) this.push.push(this.memberPeers().values(), this.self, this.pushableTail(nodes));
        this.kick();
      }),
    );
    this.cleanups.push(chain.onEvent((event) => this.onChainEvent(event)));
    this.cleanups.push(replicator.onRejected((_rejection, evidence) => evidence !== undefined && void this.proveFork(evidence)));
    await this.book.scan();
    await this.recoverFinalised();
    for (const evidence of await this.node.store.forks()) void this.proveFork(evidence);
    this.timer = setInterval(() => this.kick(), this.options.tickMs ?? 500);
    this.kick();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const cleanup of this.cleanups) cleanup();
    await this.node.helia.libp2p.unhandle(ROUNDS_PROTOCOL).catch(() => undefined);
    await this.ticking;
  }

  /** Called with a job's id whenever something about it changed here. */
  onJob(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  finalisedJob(id: string): FinalisedJob | undefined {
    return this.finalised.get(id);
  }

  /** Runs a tick now (or right after the running one). */
  kick(): void {
    if (this.controller.signal.aborted) return;
    if (this.ticking !== null) {
      this.tickAgain = true;
      return;
    }
    this.ticking = (async () => {
      do {
        this.tickAgain = false;
        try {
          await this.tick();
        } catch (error) {
          this.logger.warn({ err: error }, "round tick failed");
        }
      } while (this.tickAgain && !this.controller.signal.aborted);
    })().finally(() => (this.ticking = null));
  }

  private async tick(): Promise<void> {
    if (await this.book.scan()) {
      for (const job of this.book.allJobs()) this.notify(job.id);
      await this.recoverFinalised();
    }
    this.applyFlushedHeads();
    if (!this.node.chain.isMember(this.self)) return;
    this.scheduleShards();
    await this.maybePropose();
    this.askForVotes();
  }

  // ---- jobs and shards -------------------------------------------------------------------

  /** Jobs not finalised yet, in the order this node saw them. */
  openJobs(): KnownJob[] {
    return this.book.allJobs().filter((job) => !this.finalised.has(job.id));
  }

  private scheduleShards(): void {
    const members = this.node.chain.members();
    const now = Date.now();
    for (const job of this.openJobs()) {
      let shape;
      try {
        shape = this.options.compute.shape(job.entry.spec);
      } catch {
        continue;
      }
      for (let shard = 0; shard < shape.shards; shard++) {
        const key = `${job.id}/${shard}`;
        // A shard times out only after `shardTimeoutMs` without a result and without word from a member working on it.
        const attempts = Math.floor((now - Math.max(job.seenAt, this.progress.get(key) ?? 0)) / this.shardTimeoutMs);
        const results = this.book.shardResults(job.id, shard);
        if (this.computing.has(key) || results.has(this.self)) continue;
        const votes = [...results.values()].filter((r) => this.isMember(r.member)).map((r) => ({ member: r.member, result: r.entry.result }));
        if (this.options.compute.majority(shape, votes) !== null) continue;
        const assignees = this.options.compute.assignees(job.entry.job, shape, members, shard, new Set(results.keys()), attempts);
        if (!assignees.includes(this.self)) continue;
        this.computing.add(key);
        this.computeQueue.push({ job, shard });
        this.lastHeartbeat = 0;
      }
    }
    this.heartbeat(false);
    void this.drainComputeQueue();
  }

  /** Tells the members which shards this node is working on (queued or running), at most every third of the shard timeout. */
  private heartbeat(force: boolean): void {
    const now = Date.now();
    if (this.computing.size === 0 || (!force && now - this.lastHeartbeat < this.shardTimeoutMs / 3)) return;
    this.lastHeartbeat = now;
    const byJob = new Map<string, { job: CID; shards: number[] }>();
    for (const key of this.computing) {
      const [id, shard] = key.split("/") as [string, string];
      const job = this.book.job(id);
      if (job === undefined || this.finalised.has(id) || this.book.shardResults(id, Number(shard)).has(this.self)) continue;
      const entry = byJob.get(id) ?? { job: job.entry.job, shards: [] };
      entry.shards.push(Number(shard));
      byJob.set(id, entry);
    }
    for (const { job, shards } of byJob.values()) {
      const request: RoundsRequest = { kind: "working", ring: this.node.chain.ring, job, shards };
      for (const peer of this.memberPeers().values()) void askPeer(this.node.helia.libp2p, peer, request, 5_000).catch(() => undefined);
    }
  }

  /** One shard at a time: a member is one worker (the speedup benchmark counts on it). */
  private async drainComputeQueue(): Promise<void> {
    if (this.computeBusy || this.computeQueue.length === 0) return;
    this.computeBusy = true;
    try {
      while (this.computeQueue.length > 0 && !this.controller.signal.aborted) {
        const { job, shard } = this.computeQueue.shift() as { job: KnownJob; shard: number };
        const key = `${job.id}/${shard}`;
        try {
          this.trace("map start", { job: job.id });
          const result = await this.options.compute.map(job.entry.job, job.entry.spec, shard, this.controller.signal);
          this.trace("map done", { job: job.id });
          await this.node.log.append({ type: SHARD_ENTRY, job: job.entry.job, shard, result: result.cid, bytes: result.bytes });
          this.trace("shard appended", { job: job.id });
          this.logger.debug({ job: job.id, shard, result: result.cid.toString() }, "shard computed");
          if (this.faults.has("fork-log")) await this.forkOwnLog();
        } catch (error) {
          // Not an answer (a block not fetched, a timeout): try again after a shard timeout.
          this.logger.warn({ err: error, job: job.id, shard }, "shard not computed, will retry");
          setTimeout(() => {
            this.computing.delete(key);
            this.kick();
          }, this.shardTimeoutMs).unref();
          continue;
        }
        this.notify(job.id);
      }
    } finally {
      this.computeBusy = false;
    }
    this.kick();
  }

  // ---- relaying ---------------------------------------------------------------------------

  private nextRound(): number {
    return Number(this.node.chain.round()) + 1;
  }

  /** The relayer of `round` after `attempts` relayer timeouts. */
  relayerOf(round: number, attempts: number): string {
    const members = this.node.chain.members();
    return members[(round + attempts) % members.length] as string;
  }

  private async maybePropose(): Promise<void> {
    const round = this.nextRound();
    for (const key of this.relaying.keys()) if (key < round) this.relaying.delete(key);
    const ready = this.openJobs().filter((job) => {
      try {
        const shards = majorityShards(this.book, this.options.compute, job, this.isMember);
        // Every member reduces as soon as it can, so the relayer's vote request finds it done.
        if (shards !== null) void this.reduces.reduce(this.book, job, shards, this.controller.signal).catch(() => undefined);
        return shards !== null;
      } catch {
        return false;
      }
    });
    if (ready.length === 0) {
      this.readySince = null;
      return;
    }
    if (this.readySince?.round !== round) this.readySince = { round, at: Date.now() };
    const attempts = Math.floor((Date.now() - this.readySince.at) / this.relayerTimeoutMs);
    const current = this.relaying.get(round);
    // A proposal of ours that is still collecting votes keeps going; after a timeout we may add a fresh one.
    if (current !== undefined && attempts === 0) return;
    if (current !== undefined && current.flushing) return;
    if (this.relayerOf(round, attempts) !== this.self) return;
    if (current !== undefined && this.lastProposedAttempt === `${round}/${attempts}`) return;
    this.lastProposedAttempt = `${round}/${attempts}`;
    await this.propose(round, ready.slice(0, this.maxJobsPerRound));
  }

  private lastProposedAttempt = "";

  private currentCut(): CutHead[] {
    const cut: CutHead[] = [];
    for (const member of this.node.chain.members()) {
      const head = this.node.store.head(member);
      if (head !== null) cut.push({ author: head.author, seq: head.seq, cid: head.cid });
    }
    return cut;
  }

  private async propose(round: number, jobs: KnownJob[]): Promise<void> {
    this.trace("propose start", { round });
    const cut = this.currentCut();
    const seqs = cutSeqs(cut);
    const proposed: ProposedJob[] = [];
    for (const job of jobs) {
      if (job.seq > (seqs.get(job.submitter) ?? -1)) continue;
      const shards = majorityShards(this.book, this.options.compute, job, this.isMember, seqs);
      if (shards === null) continue;
      const output = await this.reduces.reduce(this.book, job, shards, this.controller.signal);
      await this.node.store.blockstore.putBytes(output.cid, output.bytes);
      proposed.push({ job: job.entry.job, shards, output: output.cid, pin: job.entry.pin });
    }
    if (proposed.length === 0) return;
    const prevHead = this.node.chain.ringNodeHead();
    const outputs = outputsOf(this.options.gate, proposed);
    const ringNode = await ringNodeOf(this.node.chain.ring, round, prevHead, cut, outputs);
    await this.node.store.blockstore.putBytes(ringNode.cid, ringNode.bytes);
    const entry: ProposalEntry = { type: PROPOSAL_ENTRY, round, prevHead, cut, jobs: proposed, gate: getAddress(this.options.gate), ringNodeHead: ringNode.head };
    this.book.noteProposal(this.self, entry);
    // The relayer votes with its head before the proposal; the proposal itself is logged while the
    // members vote (so everyone, also later, can tell which jobs a flushed ring head finalised).
    const heldHead = this.node.log.head();
    const appending = this.node.log.append(entry);
    // (An empty own log has no head to vote with: then the proposal's node is the head.)
    const voteHead = heldHead?.cid ?? (await appending).cid;
    appending.catch((error: unknown) => this.logger.warn({ err: error, round }, "could not log the proposal"));
    const vote = await signVote(this.node.identity.wallet, this.node.chain.domain, voteMessage(BigInt(round), ringNode.head, outputs, cidToBytes32(voteHead)));
    const state: RelayState = { entry, outputs, votes: new Map([[this.self, vote]]), dissents: new Map(), asking: new Set(), askedAt: new Map(), flushing: false };
    this.relaying.set(round, state);
    this.trace("proposal appended", { round });
    this.logger.info({ round, jobs: proposed.length, ringNodeHead: ringNode.head }, "proposed a round");
    for (const job of proposed) this.notify(job.job.toString());
    this.askForVotes();
  }

  private askForVotes(): void {
    const round = this.nextRound();
    const state = this.relaying.get(round);
    if (state === undefined || state.flushing) return;
    const now = Date.now();
    const peers = this.memberPeers();
    for (const member of this.node.chain.members()) {
      if (member === this.self || state.votes.has(member) || state.dissents.has(member) || state.asking.has(member)) continue;
      if (now - (state.askedAt.get(member) ?? 0) < 1_000) continue;
      const peer = peers.get(member);
      if (peer === undefined) continue;
      state.asking.add(member);
      state.askedAt.set(member, now);
      const request: RoundsRequest = { kind: "vote", ring: this.node.chain.ring, proposal: state.entry };
      this.trace("vote asked", { round, member });
      void askPeer(this.node.helia.libp2p, peer, request, this.voteWaitMs + 5_000)
        .then((answer) => this.receiveAnswer(state, member, answer))
        .catch((error: unknown) => this.logger.debug({ err: error, member }, "vote request failed"))
        .finally(() => state.asking.delete(member));
    }
    void this.maybeFlush(state);
  }

  private receiveAnswer(state: RelayState, member: string, answer: RoundsAnswer): void {
    this.trace("answer", { member, kind: answer.kind, round: state.entry.round });
    if (answer.kind === "vote" && getAddress(answer.vote.signer) === member) {
      state.votes.set(member, answer.vote);
      void this.maybeFlush(state);
    } else if (answer.kind === "dissent" && getAddress(answer.dissent.signer) === member) {
      state.dissents.set(member, answer.dissent);
      this.logger.info({ member, round: state.entry.round }, "member dissents");
      void this.maybeFlush(state);
    } else if (answer.kind === "refuse") {
      this.logger.debug({ member, reason: answer.reason, round: state.entry.round }, "member did not vote yet");
    }
  }

  private async maybeFlush(state: RelayState): Promise<void> {
    const members = this.node.chain.members();
    const votes = [...state.votes.values()].filter((vote) => this.node.chain.isMember(vote.signer));
    if (state.flushing || votes.length < requiredVotes(members.length)) return;
    if (state.entry.round !== this.nextRound()) return;
    // With a quorum, wait briefly for the remaining connected members, so their dissents are recorded too.
    const answered = members.filter((m) => state.votes.has(m) || state.dissents.has(m)).length;
    const reachable = members.filter((m) => m === this.self || this.memberPeers().has(m)).length;
    state.quorumAt ??= Date.now();
    if (answered < reachable && Date.now() - state.quorumAt < DISSENT_GRACE_MS) {
      setTimeout(() => void this.maybeFlush(state), DISSENT_GRACE_MS);
      return;
    }
    state.flushing = true;
    this.trace("flush start", { round: state.entry.round });
    const dissents = [...state.dissents.values()].filter((d) => this.node.chain.isMember(d.signer) && !state.votes.has(d.signer));
    try {
      const sent = await this.writer.flush({ round: BigInt(state.entry.round), ringNodeHead: state.entry.ringNodeHead, outputs: state.outputs, votes, dissents });
      this.logger.info({ round: state.entry.round, tx: sent.hash, gas: sent.gasUsed.toString(), votes: votes.length, dissents: dissents.length }, "flushed a round");
      this.trace("flush mined", { round: state.entry.round });
      this.flushedHeads.set(state.entry.round, { head: state.entry.ringNodeHead, tx: sent.hash });
      this.tellFlushed(state.entry.round, state.entry.ringNodeHead, sent.hash);
      await this.node.chain.poll().catch(() => undefined);
      this.applyFlushedHeads();
      this.kick();
    } catch (error) {
      this.logger.info({ err: error, round: state.entry.round }, "flush not sent (another relayer was first?)");
      await this.node.chain.poll().catch(() => undefined);
      state.flushing = false;
    }
  }

  private tellFlushed(round: number, ringNodeHead: string, tx: string): void {
    const request: RoundsRequest = { kind: "flushed", ring: this.node.chain.ring, round, ringNodeHead, tx };
    for (const peer of this.memberPeers().values()) void askPeer(this.node.helia.libp2p, peer, request, 5_000).catch(() => undefined);
  }

  // ---- voting -----------------------------------------------------------------------------

  private async answer(peer: PeerId, request: RoundsRequest, signal: AbortSignal): Promise<RoundsAnswer> {
    if (request.kind === "nodes") {
      let author: string;
      try {
        author = getAddress(request.author);
      } catch {
        return { kind: "refuse", reason: "not an address" };
      }
      if (author === this.self) return { kind: "ok" };
      this.trace("push in", { author });
      if ((await this.push.receive(author, request.blocks)) > 0) this.kick();
      this.trace("push kept", { author });
      return { kind: "ok" };
    }
    if (request.kind === "working") {
      const now = Date.now();
      for (const shard of request.shards) this.progress.set(`${request.job.toString()}/${shard}`, now);
      return { kind: "ok" };
    }
    if (request.kind === "flushed") {
      this.trace("flushed notice", { round: request.round });
      if (!this.flushedHeads.has(request.round)) this.flushedHeads.set(request.round, { head: request.ringNodeHead, tx: request.tx });
      await this.node.chain.poll().catch(() => undefined);
      this.kick();
      return { kind: "ok" };
    }
    const proposer = addressOfPeerId(peer);
    this.trace("vote request", { round: request.proposal.round });
    const key = request.proposal.ringNodeHead.toLowerCase();
    let pending = this.voteCache.get(key);
    if (pending === undefined) {
      pending = this.vote(proposer, request.proposal, signal);
      this.voteCache.set(key, pending);
      void pending.then((answer) => answer.kind === "refuse" && this.voteCache.delete(key), () => this.voteCache.delete(key));
      if (this.voteCache.size > 256) this.voteCache.delete(this.voteCache.keys().next().value as string);
    }
    return pending;
  }

  /** Checks a proposal against this node's own replicas and computation; votes, dissents or refuses. */
  private async vote(proposer: string, proposal: ProposalEntry, signal: AbortSignal): Promise<RoundsAnswer> {
    const { chain } = this.node;
    if (!chain.isMember(this.self)) return { kind: "refuse", reason: "not a member" };
    if (proposal.round !== this.nextRound() || proposal.prevHead.toLowerCase() !== chain.ringNodeHead().toLowerCase()) await chain.poll().catch(() => undefined);
    if (proposal.round !== this.nextRound()) return { kind: "refuse", reason: `round ${proposal.round} is not the next round ${this.nextRound()}` };
    if (proposal.prevHead.toLowerCase() !== chain.ringNodeHead().toLowerCase()) return { kind: "refuse", reason: "previous ring head differs" };
    if (getAddress(proposal.gate) !== getAddress(this.options.gate)) return { kind: "refuse", reason: "another gate" };
    for (const head of proposal.cut) if (!chain.isMember(head.author)) return { kind: "refuse", reason: `${head.author} in the cut is not a member` };
    if (!(await this.holdCut(proposal.cut, signal))) return { kind: "refuse", reason: "cut not replicated yet" };
    this.book.noteProposal(proposer, proposal);
    const seqs = cutSeqs(proposal.cut);
    const mine: ProposedJob[] = [];
    for (const proposed of proposal.jobs) {
      const id = proposed.job.toString();
      const job = this.book.job(id);
      if (job === undefined || job.seq > (seqs.get(job.submitter) ?? -1)) return { kind: "refuse", reason: `job ${id} is not in the cut` };
      if (this.finalised.has(id)) return { kind: "refuse", reason: `job ${id} is already finalised` };
      if (proposed.pin !== job.entry.pin) return { kind: "refuse", reason: `job ${id} goes to pin ${job.entry.pin}` };
      const shards = majorityShards(this.book, this.options.compute, job, this.isMember, seqs);
      if (shards === null) return { kind: "refuse", reason: `job ${id} has a shard without majority in the cut` };
      const output = await this.reduces.reduce(this.book, job, shards, signal);
      void this.node.store.blockstore.putBytes(output.cid, output.bytes).catch(() => undefined);
      mine.push({ job: proposed.job, shards, output: output.cid, pin: job.entry.pin });
    }
    const outputs = outputsOf(this.options.gate, mine);
    const ringNode = await ringNodeOf(chain.ring, proposal.round, proposal.prevHead, proposal.cut, outputs);
    const logHead = this.node.log.head();
    if (logHead === null) return { kind: "refuse", reason: "empty own log" };
    const message = voteMessage(BigInt(proposal.round), ringNode.head, outputs, cidToBytes32(logHead.cid));
    if (ringNode.head.toLowerCase() === proposal.ringNodeHead.toLowerCase()) {
      void this.node.store.blockstore.putBytes(ringNode.cid, ringNode.bytes).catch(() => undefined);
      return { kind: "vote", vote: await signVote(this.node.identity.wallet, chain.domain, message) };
    }
    this.logger.warn({ round: proposal.round, proposer, mine: ringNode.head, theirs: proposal.ringNodeHead, outputsHash: outputsHash(outputs) }, "proposal differs from my computation: dissenting");
    return { kind: "dissent", dissent: await signDissent(this.node.identity.wallet, chain.domain, message) };
  }

  /** Waits (bounded) until every head of the cut is held here, asking replication for the missing ones. */
  private async holdCut(cut: readonly CutHead[], signal: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + this.voteWaitMs;
    let asked = false;
    for (;;) {
      const missing = cut.filter((head) => !this.node.store.holds(head.author, head.seq, head.cid));
      if (missing.length === 0) {
        await this.book.scan();
        return true;
      }
      if (Date.now() > deadline || signal.aborted) return false;
      if (!asked) {
        for (const head of missing) if (getAddress(head.author) !== this.self) this.node.replicator.want(head.author, head.cid, "exchange");
        asked = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  // ---- following the chain -------------------------------------------------------------------

  private onChainEvent(event: RingEventRecord): void {
    if (event.type === "Flushed") {
      const known = this.flushedHeads.get(Number(event.round));
      this.flushedHeads.set(Number(event.round), { head: event.ringNodeHead, tx: known?.head === event.ringNodeHead ? (known.tx ?? event.transactionHash) : event.transactionHash });
      this.readySince = null;
      this.kick();
    } else if (event.type === "ForkProven" || event.type === "MemberExited" || event.type === "MemberEntered") {
      this.kick();
    }
  }

  /** Marks the jobs of every flushed round whose proposal this node knows as finalised. */
  private applyFlushedHeads(): void {
    for (const [round, flushed] of this.flushedHeads) {
      const proposal = this.book.proposal(flushed.head);
      if (proposal === undefined || proposal.entry.round !== round) continue;
      for (const job of proposal.entry.jobs) {
        const id = job.job.toString();
        if (this.finalised.has(id)) continue;
        this.finalised.set(id, { round, ringNodeHead: flushed.head, output: job.output, tx: flushed.tx });
        this.trace("finalised", { job: id, round });
        this.computeQueue.splice(0, this.computeQueue.length, ...this.computeQueue.filter((item) => item.job.id !== id));
        this.notify(id);
      }
    }
  }

  /** Proposals already compared with the chain's ring log. */
  private readonly checkedProposals = new Set<string>();

  /** Which proposals in the logs were flushed (after a restart, or learnt late): the chain keeps recent ring heads. */
  private async recoverFinalised(): Promise<void> {
    const last = Number(this.node.chain.round());
    for (const proposal of this.book.allProposals()) {
      const round = proposal.entry.round;
      const key = proposal.entry.ringNodeHead.toLowerCase();
      if (round > last || this.flushedHeads.has(round) || this.checkedProposals.has(key)) continue;
      this.checkedProposals.add(key);
      try {
        const head = await this.writer.ringLog(round);
        if (head.toLowerCase() === proposal.entry.ringNodeHead.toLowerCase()) this.flushedHeads.set(round, { head, tx: null });
      } catch (error) {
        this.logger.debug({ err: error, round }, "could not read the ring log");
      }
    }
    this.applyFlushedHeads();
  }

  // ---- forks ----------------------------------------------------------------------------------

  /** Proves a member's fork on chain (members take turns by address order so one usually suffices). */
  private async proveFork(evidence: ForkEvidence): Promise<void> {
    const key = `${evidence.author}/${evidence.seq}`;
    if (this.provingForks.has(key) || getAddress(evidence.author) === this.self) return;
    this.provingForks.add(key);
    const honest = this.node.chain.members().filter((member) => getAddress(member) !== getAddress(evidence.author));
    const rank = Math.max(0, honest.indexOf(this.self));
    await new Promise((resolve) => setTimeout(resolve, rank * 1_500));
    await this.node.chain.poll().catch(() => undefined);
    if (!this.node.chain.isMember(evidence.author) || this.controller.signal.aborted) return;
    try {
      const sent = await this.writer.proveFork(evidence);
      this.logger.warn({ member: evidence.author, seq: evidence.seq, tx: sent.hash }, "proved a fork on chain: member ejected");
      await this.node.chain.poll().catch(() => undefined);
    } catch (error) {
      this.logger.info({ err: error, member: evidence.author }, "fork proof not sent (already proven?)");
      this.provingForks.delete(key);
    }
    this.kick();
  }

  /** The `fork-log` fault: sign a second node at the current head's seq and announce it. */
  private async forkOwnLog(): Promise<void> {
    if (this.forkedOnce) return;
    this.forkedOnce = true;
    const head = this.node.log.head();
    if (head === null) return;
    const held = await this.node.store.nodeAt(this.self, head.seq);
    if (held === null) return;
    const { sig: _sig, ...body } = held.node;
    const forked = await signLogNodeWithKey({ ...body, payload: { type: "fork", of: held.cid } }, this.node.identity.privateKey, this.node.chain.domain);
    await this.node.store.blockstore.putBytes(forked.cid, forked.bytes);
    this.logger.warn({ seq: head.seq, cid: forked.cid.toString() }, "FAULT fork-log: announcing a forked node");
    const announce = () => void this.node.replicator.announce({ author: this.self, seq: head.seq, cid: forked.cid });
    announce();
    for (const delay of [500, 1_500, 3_000]) setTimeout(announce, delay);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private isMemberPeer(peer: PeerId): boolean {
    try {
      return this.node.chain.isMember(addressOfPeerId(peer));
    } catch {
      return false;
    }
  }

  /** Connected members by address. */
  private memberPeers(): Map<string, PeerId> {
    const peers = new Map<string, PeerId>();
    for (const peer of connectedPeers(this.node.helia.libp2p)) {
      try {
        const address = addressOfPeerId(peer);
        if (this.node.chain.isMember(address) && address !== this.self) peers.set(address, peer);
      } catch {
        /* not an avatar key */
      }
    }
    return peers;
  }

  /** What one push carries: the last nodes of a group commit (a member further behind catches up by replication). */
  private pushableTail(nodes: readonly EncodedLogNode[]): EncodedLogNode[] {
    return nodes.slice(-32);
  }

  /** Timing trace of the round's steps (RING_NODE_TRACE_ROUNDS=1), for latency work. */
  private trace(step: string, fields: Record<string, unknown> = {}): void {
    if (TRACE) this.logger.info({ ...fields, step, at: performance.now() + performance.timeOrigin }, "rounds trace");
  }

  private notify(jobId: string): void {
    for (const listener of this.listeners) listener(jobId);
  }
}
