/**
 * A read view of the ERC2771Forwarder that every relayed request goes through: its EIP-712
 * domain (read once, ERC-5267), the next nonce of an account, and where a past request landed.
 */
import { getAddress, type Contract, type Provider, type TypedDataDomain } from "ethers";
import { callAddressWord, NONCES_SELECTOR, withDeadline } from "../replica/chainReads.js";
import { forwarderContract, readForwarderDomain } from "./forwardRequest.js";

export class Forwarder {
  readonly address: string;
  readonly contract: Contract;
  private readonly timeoutMs: number;
  private domainCache: Promise<TypedDataDomain> | null = null;

  constructor(address: string, provider: Provider, timeoutMs = 10_000) {
    this.address = getAddress(address);
    this.contract = forwarderContract(this.address, provider);
    this.timeoutMs = timeoutMs;
  }

  /** The domain requests are signed under (name chosen at deployment, version "1", chain id, address). */
  domain(signal?: AbortSignal): Promise<TypedDataDomain> {
    this.domainCache ??= withDeadline(readForwarderDomain(this.contract), this.timeoutMs, signal).catch((error: unknown) => {
      this.domainCache = null;
      throw error;
    });
    return this.domainCache;
  }

  /** The nonce the account's next request must carry. */
  async nonce(account: string, signal?: AbortSignal): Promise<bigint> {
    return BigInt(await withDeadline(callAddressWord(this.contract.runner as Provider, this.address, NONCES_SELECTOR, account), this.timeoutMs, signal));
  }

  /**
   * The transaction that executed `signer`'s request `nonce`, searched in the last `blocks` blocks,
   * with its success flag; null if none did.
   */
  async findExecution(signer: string, nonce: bigint, blocks = 50_000): Promise<{ txHash: string; success: boolean } | null> {
    const filter = this.contract.filters.ExecutedForwardRequest?.(signer);
    if (filter === undefined) return null;
    const latest = await withDeadline((this.contract.runner as Provider).getBlockNumber(), this.timeoutMs);
    const events = await withDeadline(this.contract.queryFilter(filter, Math.max(0, latest - blocks), latest), this.timeoutMs);
    for (const event of events) {
      if (!("args" in event)) continue;
      if ((event.args[1] as bigint) === nonce) return { txHash: event.transactionHash, success: event.args[2] as boolean };
    }
    return null;
  }
}
