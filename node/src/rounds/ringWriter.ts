/**
 * The rounds' one writer to the Ring contract: `flush` and `proveFork`, sent from the member's own
 * account one transaction at a time (so nonces never collide), each bounded by a timeout.
 */
import { Contract, type JsonRpcProvider, type Wallet } from "ethers";
import { flushArgs, type FlushInput } from "../core/ringVotes.js";
import type { ForkEvidence } from "../log/forkEvidence.js";
import { proveForkArgs } from "../log/forkEvidence.js";

export const RING_WRITE_ABI = [
  "function flush(uint64 round, bytes32 ringNodeHead, (address gate, uint96[] pins, bytes32[] cids) outputs, (bytes32 logHead, bytes32 r, bytes32 vs)[] votes, (bytes32 ringNodeHead, bytes32 outputsHash, bytes32 logHead, bytes32 r, bytes32 vs)[] dissents)",
  "function proveFork(address member, uint64 seq, bytes32 digestA, bytes signatureA, bytes32 digestB, bytes signatureB)",
  "function ringLog(uint256 round) view returns (bytes32)",
  "function reputation(address account) view returns (uint64 agreements, uint64 dissents)",
] as const;

export class ChainWriteTimeoutError extends Error {
  override name = "ChainWriteTimeoutError";
}

export interface SentTransaction {
  hash: string;
  gasUsed: bigint;
  blockNumber: number;
}

export class RingWriter {
  private readonly contract: Contract;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ring: string,
    private readonly wallet: Wallet,
    readonly provider: JsonRpcProvider,
    private readonly timeoutMs = 30_000,
  ) {
    this.contract = new Contract(ring, RING_WRITE_ABI, wallet.connect(provider));
  }

  /** Sends `Ring.flush` with the votes (and dissents) ordered by signer; resolves once mined. */
  flush(input: FlushInput): Promise<SentTransaction> {
    return this.send("flush", [...flushArgs(input)]);
  }

  /** Sends `Ring.proveFork` for the evidence; resolves once mined. */
  proveFork(evidence: ForkEvidence): Promise<SentTransaction> {
    return this.send("proveFork", proveForkArgs(evidence));
  }

  /** The ring head recorded for `round` (zero when not kept or not flushed). */
  async ringLog(round: bigint | number): Promise<string> {
    return (await this.bounded(this.contract.getFunction("ringLog").staticCall(round) as Promise<string>, "Ring.ringLog")) ;
  }

  private send(method: string, args: unknown[]): Promise<SentTransaction> {
    const run = async (): Promise<SentTransaction> => {
      const fn = this.contract.getFunction(method);
      await this.bounded(fn.staticCall(...args) as Promise<unknown>, `Ring.${method} (simulation)`);
      const tx = (await this.bounded(fn.send(...args) as Promise<{ hash: string; wait(): Promise<{ gasUsed: bigint; blockNumber: number; status: number | null } | null> }>, `Ring.${method}`));
      const receipt = await this.bounded(tx.wait(), `Ring.${method} receipt`);
      return { hash: tx.hash, gasUsed: receipt?.gasUsed ?? 0n, blockNumber: receipt?.blockNumber ?? 0 };
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private bounded<T>(work: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ChainWriteTimeoutError(`${what}: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      work.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }
}
