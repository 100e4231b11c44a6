/**
 * The rounds service inside `ring-node start`: the sandbox, the round engine and the job service, plus a
 * JSON-RPC endpoint for `SubmitJob` / `GetJob` on 127.0.0.1 whose URL and bearer token are written to
 * `<dataDir>/jobs-rpc.json` (mode 0600; the `submit` command reads it). It refuses a request
 * without the token, a foreign Host or Origin and a non-JSON POST (jsonrpc/localGuard.ts), so a
 * web page in the operator's browser cannot make the member sign job entries. Its settings are the `rounds` section
 * of the node's configuration (config/schema.ts: gate, jobs port, relayer and shard timeouts);
 * RING_NODE_FAULT (TEST ONLY, see faults.ts) is read from the environment.
 */
import { rm } from "node:fs/promises";
import { ZeroAddress } from "ethers";
import { join } from "node:path";
import type { Startable } from "@libp2p/interface";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import type { BlockSource } from "../compute/blocks.js";
import { Sandbox } from "../compute/sandbox.js";
import type { NodeConfig, RoundsSettings } from "../config/config.js";
import type { RingIdentity } from "../identity/identity.js";
import { RpcDispatcher } from "../jsonrpc/dispatcher.js";
import { JsonRpcHttpServer } from "../jsonrpc/httpServer.js";
import { newToken } from "../jsonrpc/localGuard.js";
import type { LogStore } from "../log/store.js";
import type { LogBlockstore } from "../p2p/blockstore.js";
import { fetchBlock } from "../replication/bitswapFetch.js";
import type { Replicator } from "../replication/replicator.js";
import { SandboxCompute } from "./computeLayer.js";
import { RoundsNotStartedError } from "./errors.js";
import { faultsFromEnv, forkLog, wrongResults, type Fault, type RoundsOwnLog } from "./faults.js";
import type { JobCompute } from "./jobCompute.js";
import type { JobsRpcInfo } from "./jobsClient.js";
import { jobRpcMethods } from "./jobRpc.js";
import { JobService } from "./jobService.js";
import { RoundEngine, type RoundEngineComponents } from "./roundEngine.js";
import type { RoundWork } from "./roundWork.js";
import { JobQueueReads } from "../chain/jobQueue.js";
import { QueueIntake } from "./queueIntake.js";
import { sealingLog, type PayloadReader, type PayloadSealer } from "../replica/sealedLog.js";
import { writePrivateFile } from "../config/privateDir.js";
import type { RoundsStatusSink } from "../api/results.js";
import { RoundTimings } from "./roundTimings.js";
import { datastoreArchive, type JobArchive } from "./jobArchive.js";

export const JOBS_RPC_FILE = "jobs-rpc.json";

/** What the rounds use of the node (the same keys as the composition root's MemberComponents). */
export interface RoundsComponents {
  config: Pick<NodeConfig, "dataDir" | "fetchTimeoutMs">;
  logger: Logger;
  signer: Pick<RingIdentity, "address" | "wallet" | "privateKey" | "blsKeys">;
  chain: Pick<RingChainView, "ring" | "domain" | "provider" | "members" | "isMember" | "round" | "ringNodeHead" | "membershipEpoch" | "poll" | "onEvent" | "scheme" | "blsKeys">;
  streams: RoundEngineComponents["streams"];
  helia: Parameters<typeof fetchBlock>[0];
  blocks: Pick<LogBlockstore, "putBytes" | "readBytes">;
  logs: RoundEngineComponents["logs"] & Pick<LogStore, "cidAt" | "datastore">;
  ownLog: RoundsOwnLog;
  replicator: RoundEngineComponents["replicator"] & Pick<Replicator, "announce">;
  /** The ring's messages: rounds are run while they wait (roundWork.ts). */
  messages?: RoundWork;
  /** Where the recent rounds' timings go into the node's status (absent: not shown). */
  statusSections?: RoundsStatusSink;
  /** The ring's read keys: every rounds entry is sealed with them and read back through them. */
  readKeys?: PayloadReader & PayloadSealer;
}

/** The running rounds, for the callers that reach into them (tests, status). */
export interface RoundsService extends Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly engine: RoundEngine;
  readonly jobs: JobService;
  /** Jobs queued on chain for this ring (null without a configured JobQueue). */
  readonly intake: QueueIntake | null;
  /** The jobs endpoint's URL (once started). */
  readonly url: string;
}

/** The rounds service: `roundsService(config.rounds)(components)`, then `start()`. */
export function roundsService(init: RoundsSettings): (components: RoundsComponents) => RoundsService {
  return (components) => new DefaultRoundsService(components, init);
}

class DefaultRoundsService implements RoundsService {
  readonly engine: RoundEngine;
  readonly jobs: JobService;
  readonly intake: QueueIntake | null;
  private intakeTimer: NodeJS.Timeout | undefined;
  private readonly intakeAbort = new AbortController();
  private readonly faults: ReadonlySet<Fault>;
  private readonly sandbox = new Sandbox({ workers: 1 });
  private readonly compute: JobCompute;
  private readonly file: string;
  private readonly timings = new RoundTimings();
  private readonly sealedLog: RoundsOwnLog;
  private http: JsonRpcHttpServer | null = null;
  private listening: string | null = null;

  constructor(
    private readonly components: RoundsComponents,
    private readonly settings: RoundsSettings,
  ) {
    const { blocks, helia, config, logger } = components;
    this.faults = faultsFromEnv();
    const source: BlockSource = {
      get: async (cid, options) => (await blocks.readBytes(cid)) ?? fetchBlock(helia, cid, { timeoutMs: config.fetchTimeoutMs, signal: options?.signal }),
    };
    let compute: JobCompute = new SandboxCompute(this.sandbox, source, (cid, bytes) => blocks.putBytes(cid, bytes));
    if (this.faults.has("wrong-results")) compute = wrongResults(compute);
    this.compute = compute;
    const { chain, logs, signer, streams, replicator, readKeys } = components;
    // Named one by one, not spread: the root's components may be getters.
    const sealed = readKeys === undefined ? components.ownLog : sealingLog(components.ownLog, readKeys);
    const ownLog = this.faults.has("fork-log") ? forkLog(sealed, { logs, blocks, signer, chain, replicator, logger: logger.child({ component: "rounds" }) }) : sealed;
    this.sealedLog = ownLog;
    this.engine = new RoundEngine(
      { chain, logs, ownLog, streams, replicator, signer, blocks, logger, ...(components.messages === undefined ? {} : { messages: components.messages }), ...(readKeys === undefined ? {} : { reader: readKeys }) },
      { compute, gate: settings.gate, relayerTimeoutMs: settings.relayerTimeoutMs, flushGasLimit: settings.flushGasLimit, shardTimeoutMs: settings.shardTimeoutMs, onTrace: this.timings.observe, finalisedJobs: { archive: loggedArchive(datastoreArchive(logs.datastore), logger), keepFinalised: settings.keepFinalisedJobs } },
    );
    this.jobs = new JobService({ chain, blocks, logs, ownLog, helia }, this.engine, compute, settings.gate);
    this.file = join(config.dataDir, JOBS_RPC_FILE);
    this.intake = settings.jobQueue === ZeroAddress ? null : this.queueIntake(settings.jobQueue, settings.jobQueueFromBlock);
  }

  private queueIntake(address: string, fromBlock: number): QueueIntake {
    const { chain, helia, config } = this.components;
    const ownLog = this.sealedLog;
    const queue = new JobQueueReads(address, chain.provider);
    return new QueueIntake(
      {
        queue,
        latestBlock: () => chain.provider.getBlockNumber(),
        book: this.engine.book,
        fetchSpec: async (cid, signal) => (await this.components.blocks.readBytes(cid)) ?? fetchBlock(helia, cid, { timeoutMs: config.fetchTimeoutMs, signal }),
        checkSpec: (bytes) => void this.compute.shape(bytes),
        append: async (entry) => {
          await ownLog.append(entry);
          this.engine.kick();
        },
      },
      { ring: chain.ring, fromBlock },
    );
  }

  private scheduleIntake(): void {
    const intake = this.intake;
    if (intake === null || this.intakeAbort.signal.aborted) return;
    this.intakeTimer = setTimeout(() => {
      intake
        .poll(this.intakeAbort.signal)
        .catch((error: unknown) => this.components.logger.warn({ err: error }, "job queue poll failed"))
        .finally(() => this.scheduleIntake());
    }, 1_000);
  }

  get url(): string {
    if (this.listening === null) throw new RoundsNotStartedError("the rounds service is not started: its jobs endpoint has no URL yet");
    return this.listening;
  }

  async start(): Promise<void> {
    const { logger, signer } = this.components;
    await this.sandbox.warm();
    if (this.faults.size > 0) logger.warn({ faults: [...this.faults] }, "TEST-ONLY FAULTS ENABLED (RING_NODE_FAULT)");
    await this.engine.start();
    const token = newToken();
    this.http = new JsonRpcHttpServer({ dispatcher: new RpcDispatcher(jobRpcMethods(this.jobs, this.intake), logger), port: this.settings.jobsPort, token });
    const url = await this.http.listen();
    this.listening = url;
    const info: JobsRpcInfo = { url, token, pid: process.pid, address: signer.address };
    await writePrivateFile(this.file, JSON.stringify(info, null, 2));
    logger.info({ url, gate: this.settings.gate, jobQueue: this.settings.jobQueue }, "rounds started; jobs endpoint listening");
    this.scheduleIntake();
    this.components.statusSections?.setRounds(() => this.timings.recent());
  }

  async stop(): Promise<void> {
    this.components.statusSections?.setRounds(null);
    this.intakeAbort.abort();
    clearTimeout(this.intakeTimer);
    await rm(this.file, { force: true });
    await this.http?.close();
    await this.engine.stop();
    await this.compute.close();
  }
}

/** The archive, with its failed writes logged (the job book keeps such a job in memory). */
function loggedArchive(archive: JobArchive, logger: Logger): JobArchive {
  return {
    ...archive,
    put: (job) => archive.put(job).catch((error: unknown) => {
      logger.warn({ err: error, job: job.id }, "could not archive a finalised job; it stays in memory");
      throw error;
    }),
  };
}
