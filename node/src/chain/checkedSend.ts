/**
 * One operator transaction, checked before it costs anything: the contract must exist, the call is
 * simulated first (a refusal names its custom error and sends nothing), then it is sent, mined and
 * read back from the event it must emit. Every step is bounded by a timeout and the caller's
 * AbortSignal. `RingFactoryWriter.createRing` and `JobQueueWriter.submitJob` are both this.
 */
import { isError, type Contract, type Interface, type LogDescription, type Provider, type TransactionReceipt } from "ethers";
import { checksumAddress } from "../core/secp256k1.js";
import { CallRefusedError, ChainCallError, ChainWriteTimeoutError, TransactionRevertedError } from "./errors.js";
import { bounded, waitForReceipt, type WaitOptions } from "./wait.js";

/** The custom error (or reason string) of a refused call, as `Name(arg, …)`; null if it is not a refusal. */
export function refusalReason(error: unknown, errors?: Interface): string | null {
  if (!isError(error, "CALL_EXCEPTION")) return null;
  if (error.revert !== null && error.revert !== undefined) return `${error.revert.name}(${error.revert.args.map(String).join(", ")})`;
  if (errors !== undefined && typeof error.data === "string" && error.data.length >= 10) {
    const parsed = errors.parseError(error.data);
    if (parsed !== null) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
  }
  return error.reason ?? "reverted without a reason";
}

export interface CheckedSend {
  /** The contract, connected to a signer with a provider. */
  contract: Contract;
  provider: Provider;
  /** What the contract is called in messages ("RingFactory", "JobQueue"). */
  name: string;
  method: string;
  args: readonly unknown[];
  /** The event the call must emit from the contract's address. */
  event: string;
  timeoutMs: number;
}

export interface SentCall {
  event: LogDescription;
  receipt: TransactionReceipt;
  transactionHash: string;
}

/** Simulates, sends and mines `method(args)`; resolves with its `event`, or rejects naming why not. */
export async function checkedSend(call: CheckedSend, options?: WaitOptions): Promise<SentCall> {
  const address = checksumAddress(await call.contract.getAddress());
  const what = `${call.name}.${call.method}`;
  const step = <T>(work: Promise<T>, label: string): Promise<T> =>
    bounded(work, { milliseconds: call.timeoutMs, what: label, signal: options?.signal, error: (message) => new ChainWriteTimeoutError(message) });
  const code = await step(call.provider.getCode(address), "eth_getCode");
  if (code === "0x") throw new ChainCallError(`no contract at the ${call.name} address ${address}`);
  const fn = call.contract.getFunction(call.method);
  try {
    await step(fn.staticCall(...call.args), `${what} (simulation)`);
  } catch (error) {
    const reason = refusalReason(error, call.contract.interface);
    if (reason === null) throw error;
    throw new CallRefusedError(`${what} would revert: ${reason}`, reason);
  }
  const sent = await step(fn.send(...call.args), what);
  const receipt = await step(waitForReceipt(call.provider, sent.hash, call.timeoutMs, options?.signal), `${what} receipt`);
  if (receipt.status !== 1) throw new TransactionRevertedError(`${what} reverted in ${sent.hash}`);
  for (const log of receipt.logs) {
    if (checksumAddress(log.address) !== address) continue;
    const parsed = call.contract.interface.parseLog(log);
    if (parsed?.name === call.event) return { event: parsed, receipt, transactionHash: sent.hash };
  }
  throw new ChainCallError(`${what} in ${sent.hash} emitted no ${call.event}`);
}

/** The signer's provider, which every write needs for its receipt. */
export function providerOf(signer: { provider: Provider | null }): Provider {
  if (signer.provider === null) throw new ChainCallError("the signer has no provider");
  return signer.provider;
}
