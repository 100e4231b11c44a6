/**
 * Relays signed ERC-2771 requests through OpenZeppelin's `ERC2771Forwarder`, paying their gas.
 *
 * Group commit: while one `executeBatch` transaction is in flight, new requests queue up; when it
 * is mined, everything queued (up to `maxBatchSize`) goes out in the next transaction. At low load
 * a request is relayed alone and at once; under load one transaction carries many requests.
 * The batch names the relayer as `refundReceiver`, so an invalid request (expired, replayed nonce)
 * is skipped by the forwarder instead of reverting its neighbours; each request's own outcome is
 * read from the forwarder's `ExecutedForwardRequest(signer, nonce, success)` events.
 */
import { getAddress, Interface, type Contract, type Signer, type TransactionReceipt } from "ethers";
import { FORWARDER_ABI, forwarderContract, toForwardRequestData, type ForwardRequest } from "./forwardRequest.js";

export interface RelayOutcome {
  /** True when the forwarder executed the request and the forwarded call succeeded. */
  success: boolean;
  /** Why it failed: "skipped" (invalid at execution: nonce used, expired, bad signature), "reverted" (forwarded call failed), or the transaction error. */
  reason?: string;
  txHash: string;
  blockNumber: number;
  /** This request's share of the transaction fee, in wei: gasUsed x effective gas price / batch size. */
  feeWei: bigint;
  gasUsed: bigint;
  batchSize: number;
}

export class RelayError extends Error {
  override name = "RelayError";
}

export class RelayerClosedError extends Error {
  override name = "RelayerClosedError";
}

export interface MetaTxRelayerOptions {
  forwarder: string;
  /** Pays the gas; connected to a provider. Wrap in ethers' NonceManager if other writers share the key. */
  wallet: Signer;
  maxBatchSize?: number;
  /** How long to wait for a batch's receipt. */
  receiptTimeoutMs?: number;
}

interface Pending {
  request: ForwardRequest;
  signature: string;
  resolve: (outcome: RelayOutcome) => void;
  reject: (error: Error) => void;
}

const forwarderInterface = new Interface(FORWARDER_ABI);

export class MetaTxRelayer {
  readonly forwarderAddress: string;
  private readonly forwarder: Contract;
  private readonly wallet: Signer;
  private readonly maxBatchSize: number;
  private readonly receiptTimeoutMs: number;
  private queue: Pending[] = [];
  private inFlight: Promise<void> | null = null;
  private closed = false;
  /** Number of executeBatch transactions sent, and requests carried: for metrics and the benchmark. */
  readonly stats = { transactions: 0, requests: 0 };

  constructor(options: MetaTxRelayerOptions) {
    this.forwarderAddress = getAddress(options.forwarder);
    this.wallet = options.wallet;
    this.forwarder = forwarderContract(this.forwarderAddress, options.wallet);
    this.maxBatchSize = options.maxBatchSize ?? 64;
    this.receiptTimeoutMs = options.receiptTimeoutMs ?? 60_000;
  }

  /** Queues the request; resolves once the transaction that carried it is mined. */
  relay(request: ForwardRequest, signature: string): Promise<RelayOutcome> {
    if (this.closed) return Promise.reject(new RelayerClosedError("relayer is closed"));
    return new Promise<RelayOutcome>((resolve, reject) => {
      this.queue.push({ request, signature, resolve, reject });
      this.pump();
    });
  }

  /** Number of requests waiting for a transaction. */
  get queued(): number {
    return this.queue.length;
  }

  /** Stops accepting requests and waits for the batch in flight (queued ones are refused). */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new RelayerClosedError("relayer closed before the request was sent"));
    await this.inFlight;
  }

  private pump(): void {
    if (this.inFlight !== null || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatchSize);
    this.inFlight = this.send(batch).finally(() => {
      this.inFlight = null;
      if (!this.closed) this.pump();
    });
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await this.sendBatch(batch);
      batch.forEach((pending, index) => pending.resolve(outcomes[index] as RelayOutcome));
    } catch (error) {
      if (batch.length > 1) {
        // One request poisons gas estimation (e.g. a forwarded call that exhausts its gas): halve and retry.
        const middle = Math.ceil(batch.length / 2);
        await this.send(batch.slice(0, middle));
        await this.send(batch.slice(middle));
        return;
      }
      const failure = new RelayError(`relay failed: ${(error as Error).message}`);
      for (const pending of batch) pending.reject(failure);
    }
  }

  private async sendBatch(batch: Pending[]): Promise<RelayOutcome[]> {
    const requests = batch.map((pending) => toForwardRequestData(pending.request, pending.signature));
    const refundReceiver = await this.wallet.getAddress();
    const executeBatch = this.forwarder.getFunction("executeBatch");
    const gasEstimate = await executeBatch.estimateGas(requests, refundReceiver);
    const tx = await executeBatch.send(requests, refundReceiver, { gasLimit: (gasEstimate * 12n) / 10n + 20_000n });
    this.stats.transactions += 1;
    this.stats.requests += batch.length;
    const provider = this.wallet.provider;
    if (provider === null) throw new RelayError("relayer wallet has no provider");
    const receipt = await provider.waitForTransaction(tx.hash, 1, this.receiptTimeoutMs);
    if (receipt === null) throw new RelayError(`no receipt for ${tx.hash} within ${this.receiptTimeoutMs} ms`);
    return outcomesOf(receipt, batch.map((pending) => pending.request), this.forwarderAddress);
  }
}

function outcomesOf(receipt: TransactionReceipt, requests: ForwardRequest[], forwarder: string): RelayOutcome[] {
  const executed = new Map<string, boolean>();
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== forwarder) continue;
    const parsed = forwarderInterface.parseLog(log);
    if (parsed?.name !== "ExecutedForwardRequest") continue;
    executed.set(`${getAddress(parsed.args[0] as string)}:${(parsed.args[1] as bigint).toString()}`, parsed.args[2] as boolean);
  }
  const txSucceeded = receipt.status === 1;
  const fee = receipt.gasUsed * receipt.gasPrice;
  const feeWei = fee / BigInt(requests.length);
  return requests.map((request) => {
    const success = executed.get(`${getAddress(request.from)}:${request.nonce.toString()}`);
    const outcome: RelayOutcome = {
      success: txSucceeded && success === true,
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      feeWei,
      gasUsed: receipt.gasUsed,
      batchSize: requests.length,
    };
    if (!txSucceeded) outcome.reason = "transaction reverted";
    else if (success === undefined) outcome.reason = "skipped by the forwarder (nonce used, expired or bad signature)";
    else if (!success) outcome.reason = "forwarded call reverted";
    return outcome;
  });
}
