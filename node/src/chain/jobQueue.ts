/**
 * The JobQueue (contracts/JobQueue.sol) as the node uses it: `JobQueueReads` counts a ring's queued
 * jobs and reads their `JobQueued` events in bounded block ranges (members catch up from the
 * deployment block or a configured start); `JobQueueWriter` queues a job from a client's account,
 * simulated first so a refused job costs nothing and names its reason.
 */
import { Contract, zeroPadValue, type Provider, type Signer } from "ethers";
import { checksumAddress } from "../core/secp256k1.js";
import { jobQueueInterface } from "./abi/jobQueue.js";
import { LOG_RANGE } from "./contractReads.js";
import { checkedSend, providerOf } from "./checkedSend.js";
import { bounded, CHAIN_TIMEOUT_MS, CHAIN_WRITE_TIMEOUT_MS, type WaitOptions } from "./wait.js";

/** One queued job as its event records it. */
export interface QueuedJob {
  ring: string;
  /** Its place in the ring's queue, from 1. */
  sequence: number;
  submitter: string;
  /** sha2-256 digest of the job spec block (bytes32 hex). */
  specDigest: string;
  blockNumber: number;
  transactionHash: string;
}

export class JobQueueReads {
  readonly address: string;
  private readonly contract: Contract;

  constructor(
    address: string,
    readonly provider: Provider,
    private readonly timeoutMs = CHAIN_TIMEOUT_MS,
  ) {
    this.address = checksumAddress(address);
    this.contract = new Contract(this.address, jobQueueInterface, provider);
  }

  /** How many jobs were queued for `ring` (its last sequence number). */
  async queued(ring: string, options?: WaitOptions): Promise<number> {
    const count = this.contract.getFunction("queued").staticCall(ring) as Promise<bigint>;
    return Number(await bounded(count, { milliseconds: this.timeoutMs, what: "JobQueue.queued", signal: options?.signal }));
  }

  /** `ring`'s JobQueued events in [fromBlock, toBlock], LOG_RANGE blocks per request, in chain order. */
  async queuedJobs(ring: string, fromBlock: number, toBlock: number, options?: WaitOptions): Promise<QueuedJob[]> {
    const topic = jobQueueInterface.getEvent("JobQueued")?.topicHash as string;
    const jobs: QueuedJob[] = [];
    for (let from = fromBlock; from <= toBlock; from += LOG_RANGE) {
      const filter = { address: this.address, fromBlock: from, toBlock: Math.min(toBlock, from + LOG_RANGE - 1), topics: [topic, zeroPadValue(ring, 32)] };
      const logs = await bounded(this.provider.getLogs(filter), { milliseconds: this.timeoutMs, what: "eth_getLogs (JobQueued)", signal: options?.signal });
      for (const log of logs) {
        const parsed = jobQueueInterface.parseLog(log);
        if (parsed?.name !== "JobQueued") continue;
        jobs.push({
          ring: checksumAddress(parsed.args.ring as string),
          sequence: Number(parsed.args.sequence as bigint),
          submitter: checksumAddress(parsed.args.submitter as string),
          specDigest: parsed.args.specDigest as string,
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
        });
      }
    }
    return jobs;
  }
}

export class JobQueueWriter {
  readonly address: string;
  private readonly contract: Contract;

  constructor(
    address: string,
    private readonly signer: Signer & { provider: Provider | null },
    private readonly timeoutMs = CHAIN_WRITE_TIMEOUT_MS,
  ) {
    this.address = checksumAddress(address);
    this.contract = new Contract(this.address, jobQueueInterface, signer);
  }

  /** Queues the job whose spec block has digest `specDigest` for `ring`; resolves once mined. */
  async submitJob(ring: string, specDigest: string, options?: WaitOptions): Promise<QueuedJob> {
    const call = { contract: this.contract, provider: providerOf(this.signer), name: "JobQueue", method: "submitJob", event: "JobQueued", timeoutMs: this.timeoutMs };
    const { event, receipt, transactionHash } = await checkedSend({ ...call, args: [ring, specDigest] }, options);
    return {
      ring: checksumAddress(event.args.ring as string),
      sequence: Number(event.args.sequence as bigint),
      submitter: checksumAddress(event.args.submitter as string),
      specDigest: event.args.specDigest as string,
      blockNumber: receipt.blockNumber,
      transactionHash,
    };
  }
}
