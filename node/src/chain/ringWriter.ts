/**
 * The rounds' one writer to the Ring contract: `flush` and `proveFork`, sent from the member's own
 * account one transaction at a time, each bounded by a timeout.
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

export class TransactionRevertedError extends Error {
  override name = "TransactionRevertedError";
}

export interface SentTransaction {
  hash: string;
  gasUsed: bigint;
  blockNumber: number;
}

export class RingWriter {
  private readonly contract: Contract;
  private tail: Promise<unknown> = Promise.resolve();
  private feeCache: { at: number; fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } } | null = null;

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
    // No gas estimate on the hot path: a fixed bound far above a flush's cost (ecrecover, two
    // SSTOREs per signer, Scope + Gate per output). Only gas used is paid; a flush that loses the
    // race to another relayer reverts at the round check, cheaply.
    const signers = BigInt(input.votes.length + (input.dissents?.length ?? 0));
    const gasLimit = 300_000n + 60_000n * signers + 150_000n * BigInt(input.outputs.cids.length);
    return this.send("flush", [...flushArgs(input)], gasLimit);
  }

  /** Sends `Ring.proveFork` for the evidence; resolves once mined. */
  proveFork(evidence: ForkEvidence): Promise<SentTransaction> {
    return this.send("proveFork", proveForkArgs(evidence));
  }

  /** The ring head recorded for `round` (zero when not kept or not flushed). */
  async ringLog(round: bigint | number): Promise<string> {
    return this.bounded(this.contract.getFunction("ringLog").staticCall(round) as Promise<string>, "Ring.ringLog");
  }

  /** Sends `method(args)`; without `gasLimit` the gas is estimated (which also simulates: a call that would revert fails here, unsent). */
  private send(method: string, args: unknown[], gasLimit?: bigint): Promise<SentTransaction> {
    const run = async (): Promise<SentTransaction> => {
      const data = this.contract.interface.encodeFunctionData(method, args);
      const from = this.wallet.address;
      // Nonce, fees (and the estimate) in parallel: one round trip instead of ethers' several in a row.
      const estimate = gasLimit === undefined ? this.provider.estimateGas({ from, to: this.ring, data }).then((gas) => (gas * 12n) / 10n) : Promise.resolve(gasLimit);
      const [gas, nonce, fees, network] = await this.bounded(
        Promise.all([estimate, this.provider.getTransactionCount(from, "pending"), this.fees(), this.provider.getNetwork()]),
        `Ring.${method} (estimate)`,
      );
      const signed = await this.wallet.signTransaction({
        type: 2,
        chainId: network.chainId,
        to: this.ring,
        data,
        nonce,
        gasLimit: gas,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      const tx = await this.bounded(this.provider.broadcastTransaction(signed), `Ring.${method}`);
      const receipt = await this.bounded(this.receipt(tx.hash), `Ring.${method} receipt`);
      if (receipt.status !== 1) throw new TransactionRevertedError(`Ring.${method} reverted in ${tx.hash}`);
      return { hash: tx.hash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber };
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** EIP-1559 fees, refreshed at most every 5 s (twice the base fee plus the tip, as ethers does). */
  private async fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    if (this.feeCache !== null && Date.now() - this.feeCache.at < 5_000) return this.feeCache.fees;
    const data = await this.provider.getFeeData();
    const fees = { maxFeePerGas: data.maxFeePerGas ?? data.gasPrice ?? 1_000_000_000n, maxPriorityFeePerGas: data.maxPriorityFeePerGas ?? 0n };
    this.feeCache = { at: Date.now(), fees };
    return fees;
  }

  /** Polls for the receipt every 15 ms (ethers' own wait polls at the provider's interval, often 1 s). */
  private async receipt(hash: string): Promise<{ status: number | null; gasUsed: bigint; blockNumber: number }> {
    const deadline = Date.now() + this.timeoutMs;
    while (Date.now() < deadline) {
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (receipt !== null) return receipt;
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    throw new ChainWriteTimeoutError(`no receipt for ${hash} within ${this.timeoutMs} ms`);
  }

  private bounded<T>(work: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ChainWriteTimeoutError(`${what}: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      work.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }
}
