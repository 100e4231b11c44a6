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
import { getAddress, isError, keccak256, type Provider, type Signer } from "ethers";
import { forwarderInterface } from "../chain/index.js";
import { toForwardRequestData, type ForwardRequest } from "./forwardRequest.js";

export interface RelayOutcome {
  /** True when the forwarder executed the request and the forwarded call succeeded. */
  success: boolean;
  /** Why it failed: skipped by the forwarder (invalid at execution: nonce used, expired, bad signature), forwarded call reverted, or the transaction error. */
  reason?: string;
  /** The forwarder did not execute it (no ExecutedForwardRequest for its signer and nonce). */
  skipped: boolean;
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
  /** Pays the gas; connected to a provider. The relayer keeps this key's nonce: no other writer may send with it. */
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

export class MetaTxRelayer {
  readonly forwarderAddress: string;
  private readonly wallet: Signer;
  private readonly maxBatchSize: number;
  private readonly receiptTimeoutMs: number;
  private queue: Pending[] = [];
  private inFlight: Promise<void> | null = null;
  private closed = false;
  private refundReceiver: string | undefined;
  private chainId: bigint | undefined;
  private nonce: number | null = null;
  private fees: { at: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | null = null;
  /** Number of executeBatch transactions sent, and requests carried: for metrics and the benchmark. */
  readonly stats = { transactions: 0, requests: 0 };

  constructor(options: MetaTxRelayerOptions) {
    this.forwarderAddress = getAddress(options.forwarder);
    this.wallet = options.wallet;
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
    this.refundReceiver ??= await this.wallet.getAddress();
    const data = forwarderInterface.encodeFunctionData("executeBatch", [requests, this.refundReceiver]);
    const hash = await this.broadcast(data, batchGasLimit(batch.map((pending) => pending.request)));
    this.stats.transactions += 1;
    this.stats.requests += batch.length;
    const receipt = await this.receiptOf(hash);
    // A batch reverts only when a forwarded call starves the forwarder's gas check: split it to isolate the culprit.
    if (receipt.status !== 1 && batch.length > 1) throw new RelayError(`batch ${hash} reverted`);
    return outcomesOf(receipt, batch.map((pending) => pending.request), this.forwarderAddress);
  }

  /**
   * Signs and sends the transaction with a locally kept nonce and fee data refreshed every few
   * seconds: one round trip per batch instead of ethers' four (nonce, block, priority fee, send).
   * Any failure forgets the nonce and fees, so the next batch starts from the chain's view.
   */
  private async broadcast(data: string, gasLimit: bigint): Promise<string> {
    // Another writer with the same key (the node's own transactions) can take a nonce: retry with the chain's.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.broadcastOnce(data, gasLimit);
      } catch (error) {
        if (attempt >= 3 || !isNonceConflict(error)) throw error;
      }
    }
  }

  private async broadcastOnce(data: string, gasLimit: bigint): Promise<string> {
    const provider = this.wallet.provider;
    if (provider === null) throw new RelayError("relayer wallet has no provider");
    try {
      this.chainId ??= (await provider.getNetwork()).chainId;
      this.nonce ??= await provider.getTransactionCount(await this.wallet.getAddress(), "pending");
      if (this.fees === null || Date.now() - this.fees.at > 5_000) {
        const feeData = await provider.getFeeData();
        const priority = feeData.maxPriorityFeePerGas ?? 1_000_000_000n;
        // Twice the current max fee: room for the base fee to rise until the next refresh.
        this.fees = { at: Date.now(), maxFeePerGas: (feeData.maxFeePerGas ?? feeData.gasPrice ?? 2_000_000_000n) * 2n, maxPriorityFeePerGas: priority };
      }
      const signed = await this.wallet.signTransaction({
        type: 2,
        chainId: this.chainId,
        nonce: this.nonce,
        to: this.forwarderAddress,
        data,
        gasLimit,
        maxFeePerGas: this.fees.maxFeePerGas,
        maxPriorityFeePerGas: this.fees.maxPriorityFeePerGas,
        value: 0n,
      });
      const hash = await sendRaw(provider, signed);
      this.nonce += 1;
      return hash;
    } catch (error) {
      this.nonce = null;
      this.fees = null;
      throw error;
    }
  }

  /** Polls for the receipt quickly at first (automine chains answer at once), then backs off to 1 s. */
  private async receiptOf(hash: string): Promise<BatchReceipt> {
    const provider = this.wallet.provider;
    if (provider === null) throw new RelayError("relayer wallet has no provider");
    const deadline = Date.now() + this.receiptTimeoutMs;
    for (let delay = 10; ; delay = Math.min(1_000, delay * 2)) {
      const receipt = await fetchReceipt(provider, hash);
      if (receipt !== null) return receipt;
      if (Date.now() + delay > deadline) throw new RelayError(`no receipt for ${hash} within ${this.receiptTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function isNonceConflict(error: unknown): boolean {
  if (isError(error, "NONCE_EXPIRED") || isError(error, "REPLACEMENT_UNDERPRICED")) return true;
  return /nonce (too low|has already been used)|already known|replacement transaction/i.test((error as Error).message);
}

/** Gas of one executeBatch: every request's own gas (plus the 1/64 the forwarder must keep back) and a per-request overhead (signature check, nonce, event, calldata). */
export function batchGasLimit(requests: ForwardRequest[]): bigint {
  const perRequestOverhead = 60_000n;
  const forwarded = requests.reduce((total, request) => total + (request.gas * 64n) / 63n + perRequestOverhead + BigInt(request.data.length) * 8n, 0n);
  return 50_000n + forwarded;
}

/** eth_sendRawTransaction without ethers parsing the signed bytes back (which recovers the sender in pure JS). */
async function sendRaw(provider: Provider, signed: string): Promise<string> {
  const raw = provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
  if (typeof raw.send !== "function") return (await provider.broadcastTransaction(signed)).hash;
  await raw.send("eth_sendRawTransaction", [signed]);
  return keccak256(signed);
}

/** What the relayer reads of a receipt. */
interface BatchReceipt {
  hash: string;
  status: number;
  blockNumber: number;
  gasUsed: bigint;
  gasPrice: bigint;
  logs: readonly { address: string; topics: readonly string[]; data: string }[];
}

interface RawReceipt {
  transactionHash: string;
  status: string;
  blockNumber: string;
  gasUsed: string;
  effectiveGasPrice?: string;
  logs: { address: string; topics: string[]; data: string }[];
}

/** The receipt, read raw (`eth_getTransactionReceipt`) when the provider speaks JSON-RPC: ethers' formatting of every log is costly. */
async function fetchReceipt(provider: Provider, hash: string): Promise<BatchReceipt | null> {
  const raw = provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
  if (typeof raw.send !== "function") {
    const receipt = await provider.getTransactionReceipt(hash);
    return receipt === null ? null : { hash: receipt.hash, status: receipt.status ?? 0, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, gasPrice: receipt.gasPrice, logs: receipt.logs };
  }
  const receipt = (await raw.send("eth_getTransactionReceipt", [hash])) as RawReceipt | null;
  if (receipt === null) return null;
  return {
    hash: receipt.transactionHash,
    status: Number(receipt.status),
    blockNumber: Number(receipt.blockNumber),
    gasUsed: BigInt(receipt.gasUsed),
    gasPrice: BigInt(receipt.effectiveGasPrice ?? "0x0"),
    logs: receipt.logs,
  };
}

const EXECUTED_TOPIC = (forwarderInterface.getEvent("ExecutedForwardRequest")?.topicHash ?? "").toLowerCase();

function outcomesOf(receipt: BatchReceipt, requests: ForwardRequest[], forwarder: string): RelayOutcome[] {
  // ExecutedForwardRequest(address indexed signer, uint256 nonce, bool success): signer in topic 1, nonce and success in data.
  const executed = new Map<string, boolean>();
  const forwarderKey = forwarder.toLowerCase();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== forwarderKey || log.topics[0]?.toLowerCase() !== EXECUTED_TOPIC || log.data.length < 130) continue;
    const signer = `0x${(log.topics[1] ?? "").slice(26).toLowerCase()}`;
    const nonce = BigInt(log.data.slice(0, 66));
    executed.set(`${signer}:${nonce.toString()}`, BigInt(`0x${log.data.slice(66, 130)}`) !== 0n);
  }
  const txSucceeded = receipt.status === 1;
  const fee = receipt.gasUsed * receipt.gasPrice;
  const feeWei = fee / BigInt(requests.length);
  return requests.map((request) => {
    const success = executed.get(`${request.from.toLowerCase()}:${request.nonce.toString()}`);
    const outcome: RelayOutcome = {
      success: txSucceeded && success === true,
      skipped: txSucceeded && success === undefined,
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
