/**
 * The rounds of one member. Everything it decides comes from the logs (jobs, shard results,
 * proposals: see jobBook.ts) and the chain (members, last round and ring head):
 *
 * 1. every member computes the shards the plan assigns it (more members join a shard whose result
 *    has no majority after each shard timeout) and appends each result to its own log
 *    (shardScheduler.ts);
 * 2. the round's relayer, members[round mod n] (the next one after every relayer timeout), once
 *    jobs have a majority result for every shard, reduces them, appends a proposal (the cut of
 *    member heads it holds, the jobs, the ring log node's head) and asks every member for its vote
 *    (relayer.ts);
 * 3. a member checks the proposal against its own replicas (cut held, same majorities, its own
 *    reduce) and signs the Vote with its own log head, or signs a dissent over what it computed
 *    (voteChecks.ts, voter.ts);
 * 4. with >= 2/3 matching votes the relayer flushes (Ring.flush with the dissents, quorum.ts; a BLS
 *    ring's aggregate, ringSigning.ts); members follow the chain and mark the jobs done (finalisation.ts).
 *    A fork found in a member's log is proven on chain (forkProver.ts).
 *
 * Correctness never depends on the relayer: any member may propose after the timeouts, members
 * only sign what they computed themselves, and the chain accepts the first 2/3-signed flush.
 * Rounds also run, without jobs, for waiting messages (roundWork.ts), which get each flushed cut.
 * The engine is the tick loop that wires these parts to the node's components.
 */
import type { Libp2p, PeerId } from "@libp2p/interface";
import type { Logger } from "pino";
import { TypedEventEmitter } from "main-event";
import type { RingChainView, RingEventRecord } from "../chain/ringChainView.js";
import type { RingIdentity } from "../identity/identity.js";
import type { LogStore } from "../log/store.js";
import type { LogBlockstore } from "../p2p/blockstore.js";
import type { Replicator } from "../replication/replicator.js";
import { isEncryptedPayload } from "../replica/payloadCipher.js";
import type { PayloadReader } from "../replica/sealedLog.js";
import { asRoundsEntry, type ProposalEntry } from "./entries.js";
import { flushedHead, type RoundWork } from "./roundWork.js";
import type { RoundsOwnLog } from "./faults.js";
import { Finalisation, type FinalisedJob } from "./finalisation.js";
import { ForkProver } from "./forkProver.js";
import { JobBook, type JobBookOptions, type KnownJob } from "./jobBook.js";
import type { JobCompute } from "./jobCompute.js";
import { LogPush, pushableTail, type LogPushComponents } from "./logPush.js";
import { isMemberPeer, memberPeers } from "./memberPeers.js";
import { Relayer } from "./relayer.js";
import { RelayerTurns } from "./relayerTurns.js";
import { BlockClock } from "./blockClock.js";
import { jobsWithinGas } from "./flushBudget.js";
import { RingWriter } from "../chain/index.js";
import { proposalMatchesHead, ReduceCache } from "./roundContent.js";
import { ROUNDS_PROTOCOL, roundsHandler, type RoundsAnswer, type RoundsRequest } from "./roundsProtocol.js";
import { roundsTrace, type RoundsTrace, type RoundsTraceObserver } from "./roundsTrace.js";
import { ShardScheduler } from "./shardScheduler.js";
import { ringSigning, type BlsKeyRegistration } from "./ringSigning.js";
import { Voter } from "./voter.js";
import { answerRequest } from "./roundsAnswers.js";

export type { FinalisedJob } from "./finalisation.js";

/** What the engine uses of the node (`streams` and `replicator` are also LogPush's). */
export interface RoundEngineComponents {
  chain: Pick<RingChainView, "ring" | "domain" | "provider" | "members" | "isMember" | "round" | "ringNodeHead" | "membershipEpoch" | "poll" | "onEvent" | "scheme" | "blsKeys">;
  logs: Pick<LogStore, "authors" | "length" | "nodeAt" | "head" | "holds" | "forks" | "onKept">;
  ownLog: RoundsOwnLog;
  streams: Pick<Libp2p, "handle" | "unhandle" | "dialProtocol" | "getConnections"> & LogPushComponents["streams"];
  replicator: Pick<Replicator, "want" | "onReplicated" | "onRejected"> & LogPushComponents["replicator"];
  signer: Pick<RingIdentity, "address" | "wallet" | "blsKeys">;
  blocks: Pick<LogBlockstore, "putBytes">;
  logger: Logger;
  /** Work other than jobs that rounds run for (the ring's messages), if any. */
  messages?: RoundWork;
  /** Opens what members wrote (the ring's read keys); plaintext when absent. */
  reader?: PayloadReader;
}

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
  /** Most jobs one round finalises (by default what fits in `flushGasLimit`: flushBudget.ts). */
  maxJobsPerRound?: number;
  /** Most gas one flush may take (default 15,000,000). */
  flushGasLimit?: number;
  tickMs?: number;
  /** Sees every rounds-trace step (the round timings the status shows). */
  onTrace?: RoundsTraceObserver;
  /** Finalised jobs on disk and how many stay in memory (jobBook.ts; without it every job stays). */
  finalisedJobs?: Pick<JobBookOptions, "archive" | "keepFinalised">;
}

export interface RoundEngineEvents {
  /** Something about the job (its id) changed here. */
  job: CustomEvent<string>;
}

export type JobListener = (jobId: string) => void;

export class RoundEngine extends TypedEventEmitter<RoundEngineEvents> {
  readonly book: JobBook;
  private readonly finalisation: Finalisation;
  private readonly shards: ShardScheduler;
  private readonly relayer: Relayer;
  private readonly voter: Voter;
  private readonly forks: ForkProver;
  private readonly registration: BlsKeyRegistration | null;
  private readonly push: LogPush;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private readonly cleanups: Array<() => void> = [];
  private readonly logger: Logger;
  private readonly trace: RoundsTrace;
  private readonly voteWaitMs: number;
  private readonly clock = new BlockClock();
  private readonly turns: RelayerTurns;

  constructor(
    private readonly components: RoundEngineComponents,
    private readonly options: RoundEngineOptions,
  ) {
    super();
    const { chain, signer } = components;
    const { compute, gate } = options;
    const signal = this.controller.signal;
    const kick = () => this.kick();
    const notify = (jobId: string) => this.notify(jobId);
    const logger = (this.logger = components.logger.child({ component: "rounds" }));
    this.book = new JobBook(components.logs, (proposal) => proposalMatchesHead(chain.ring, proposal), components.reader, options.finalisedJobs ?? {});
    const writer = new RingWriter(chain.ring, signer.wallet, chain.provider);
    const reduces = new ReduceCache(compute);
    const trace = (this.trace = roundsTrace(logger, options.onTrace));
    this.voteWaitMs = options.voteWaitMs ?? 5_000;
    const shardTimeoutMs = options.shardTimeoutMs ?? 3_000;
    const onFinalised = (jobId: string) => {
      this.shards.drop(jobId);
      this.book.release(jobId, this.finalisation.finalisedJob(jobId)); // (shard results and reduces not needed again; memory stays flat)
      reduces.forget(jobId);
      this.notify(jobId);
    };
    const work = components.messages;
    const onRound = (round: number, proposal: ProposalEntry, flushed: { tx: string | null; block: number | null }) => work?.flushed(round, proposal.cut, flushedHead(round, proposal, flushed));
    const finalisation = (this.finalisation = new Finalisation(components, { book: this.book, ringLog: (round) => writer.ringLog(round), onFinalised, onRound, logger, trace, keepFinalised: options.finalisedJobs?.keepFinalised }));
    const isFinalised = (jobId: string) => this.finalisation.isFinalised(jobId) || this.book.job(jobId)?.released === true;
    this.shards = new ShardScheduler(components, { book: this.book, compute, shardTimeoutMs, isFinalised, onComputed: notify, kick, signal, logger, trace });
    const relayerTimeoutMs = options.relayerTimeoutMs ?? 4_000;
    const flushGasLimit = options.flushGasLimit ?? 15_000_000;
    const maxJobs = () => options.maxJobsPerRound ?? jobsWithinGas(flushGasLimit, chain.members().length);
    const clock = this.clock;
    this.turns = new RelayerTurns({ members: () => chain.members(), relayerTimeoutMs, blockGapMs: () => clock.blockGapMs() });
    const { scheme, registration } = ringSigning({ chain, signer, writer, logger, signal });
    this.registration = registration;
    this.relayer = new Relayer(components, { book: this.book, compute, reduces, scheme, finalisation, gate, turns: this.turns, clock, voteWaitMs: this.voteWaitMs, maxJobs, waiting: () => work?.waiting((address) => chain.isMember(address)) ?? false, notify, kick, signal, logger, trace });
    this.voter = new Voter(components, { book: this.book, compute, reduces, gate, voteWaitMs: this.voteWaitMs, isFinalised, scheme, logger });
    this.forks = new ForkProver(components, { writer, kick, signal, logger });
    this.push = new LogPush({ streams: components.streams, ring: chain.ring, replicator: components.replicator, logger });
  }

  /** Whether `address` is a member now (as the chain view has it). */
  readonly isMember = (address: string): boolean => this.components.chain.isMember(address);

  get self(): string {
    return this.components.signer.address;
  }

  async start(): Promise<void> {
    const { streams, chain, replicator, ownLog, logs } = this.components;
    await streams.handle(
      ROUNDS_PROTOCOL,
      roundsHandler({
        ring: chain.ring,
        isMemberPeer: (peer) => isMemberPeer(chain, peer),
        answer: (peer, request, signal) => this.answer(peer, request, signal),
        timeoutMs: 10_000,
        answerTimeoutMs: this.voteWaitMs + 5_000,
        logger: this.logger,
      }),
      { runOnLimitedConnection: false },
    );
    this.cleanups.push(replicator.onReplicated(() => this.kick()));
    this.cleanups.push(this.components.messages?.onWork?.(() => this.kick()) ?? (() => undefined));
    this.cleanups.push(
      ownLog.onAppended((nodes) => {
        // Rounds entries (sealed or not) go straight to the members; everything else waits for replication.
        if (nodes.some((node) => isEncryptedPayload(node.node.payload) || asRoundsEntry(node.node.payload) !== null)) this.push.push(memberPeers(this.components, this.self).values(), this.self, pushableTail(nodes));
        this.kick();
      }),
    );
    this.cleanups.push(chain.onEvent((event) => this.onChainEvent(event)));
    if (this.registration !== null) this.cleanups.push(this.registration.start());
    this.cleanups.push(replicator.onRejected((_rejection, evidence) => evidence !== undefined && void this.forks.prove(evidence)));
    await this.book.scan();
    await this.finalisation.recover();
    for (const evidence of await logs.forks()) void this.forks.prove(evidence);
    this.timer = setInterval(() => this.kick(), this.options.tickMs ?? 500);
    this.kick();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const cleanup of this.cleanups) cleanup();
    await this.components.streams.unhandle(ROUNDS_PROTOCOL).catch(() => undefined);
    await this.ticking;
  }

  /** Calls `listener` with a job's id whenever something about it changed here; returns how to stop. */
  onJob(listener: JobListener): () => void {
    const handler = (event: CustomEvent<string>) => listener(event.detail);
    this.addEventListener("job", handler);
    return () => this.removeEventListener("job", handler);
  }

  finalisedJob(id: string): FinalisedJob | undefined {
    return this.finalisation.finalisedJob(id);
  }

  /** The relayer of `round` after `attempts` relayer timeouts. */
  relayerOf(round: number, attempts: number): string {
    return this.turns.relayerOf(round, attempts);
  }

  /** Jobs not finalised yet, in the order this node saw them. */
  openJobs(): KnownJob[] {
    return this.book.openJobs().filter((job) => !this.finalisation.isFinalised(job.id));
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
      for (const job of this.book.openJobs()) this.notify(job.id);
      await this.finalisation.recover();
    }
    this.finalisation.apply();
    if (!this.components.chain.isMember(this.self)) return;
    const open = this.openJobs();
    this.shards.schedule(open);
    if (open.length > 0) this.clock.read(this.components.chain.provider);
    await this.relayer.maybePropose(open);
    this.relayer.askForVotes();
  }

  /** A member's request on the rounds protocol (roundsAnswers.ts). */
  private answer(peer: PeerId, request: RoundsRequest, signal: AbortSignal): Promise<RoundsAnswer> {
    const { chain, signer } = this.components;
    return answerRequest({ chain, self: signer.address, push: this.push, shards: this.shards, turns: this.turns, voter: this.voter, kick: () => this.kick(), trace: this.trace }, peer, request, signal);
  }

  private onChainEvent(event: RingEventRecord): void {
    if (event.type === "Flushed") {
      this.finalisation.onFlushedEvent(Number(event.round), event.ringNodeHead, event.transactionHash, event.blockNumber);
      this.turns.flushed();
      this.kick();
    } else if (event.type === "ForkProven" || event.type === "MemberExited" || event.type === "MemberEntered") {
      this.kick();
    }
  }

  private notify(jobId: string): void {
    this.safeDispatchEvent("job", { detail: jobId });
  }
}
