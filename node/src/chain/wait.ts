/**
 * The one bound on every chain wait: p-timeout with the caller's AbortSignal, rejecting with a
 * `ChainTimeoutError` (or the caller's error) when the time passes, or with the signal's reason
 * when it aborts. ethers cannot cancel a request in flight; the caller just stops waiting.
 */
import type { Provider, TransactionReceipt } from "ethers";
import pTimeout from "p-timeout";
import { ChainTimeoutError, ChainWriteTimeoutError } from "./errors.js";

/** Default bound on one chain read (JSON-RPC call). */
export const CHAIN_TIMEOUT_MS = 10_000;
/** Default bound on each step of a transaction (estimate, broadcast, receipt). */
export const CHAIN_WRITE_TIMEOUT_MS = 30_000;

export interface WaitOptions {
  signal?: AbortSignal;
}

export interface BoundOptions extends WaitOptions {
  milliseconds: number;
  /** What is waited for, for the error message ("Ring.members", "eth_getLogs"). */
  what: string;
  /** The error on timeout; a ChainTimeoutError by default. */
  error?: (message: string) => Error;
}

/** Resolves as `work` does, or rejects when `milliseconds` pass or `signal` aborts. */
export function bounded<T>(work: Promise<T>, options: BoundOptions): Promise<T> {
  const message = `${options.what}: no answer within ${options.milliseconds} ms`;
  return pTimeout(work, {
    milliseconds: options.milliseconds,
    signal: options.signal,
    message: options.error === undefined ? new ChainTimeoutError(message) : options.error(message),
  });
}

/**
 * Polls for `hash`'s receipt every 15 ms until `timeoutMs` (ethers' own `wait` polls at the
 * provider's interval, often 1 s or more, which is most of a local transaction's latency).
 */
export async function waitForReceipt(provider: Provider, hash: string, timeoutMs = CHAIN_WRITE_TIMEOUT_MS, signal?: AbortSignal): Promise<TransactionReceipt> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && signal?.aborted !== true) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt !== null) return receipt;
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  signal?.throwIfAborted();
  throw new ChainWriteTimeoutError(`no receipt for ${hash} within ${timeoutMs} ms`);
}
