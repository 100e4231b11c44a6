/**
 * A read view of the ERC2771Forwarder that every relayed request goes through: its EIP-712
 * domain (read once, ERC-5267), the next nonce of an account, and where a past request landed.
 */
import { Contract, getAddress, type ContractRunner, type Provider, type TypedDataDomain } from "ethers";
import { forwarderInterface } from "./abi/ringsForwarder.js";
import { callAddressWord } from "./chainReads.js";
import { bounded, CHAIN_TIMEOUT_MS, type WaitOptions } from "./wait.js";

const NONCES = forwarderInterface.getFunction("nonces")?.selector as string;

export function forwarderContract(address: string, runner: ContractRunner): Contract {
  return new Contract(address, forwarderInterface, runner);
}

/** The forwarder's EIP-712 domain, read from the contract itself (ERC-5267), so any deployment name works. */
export async function readForwarderDomain(forwarder: Contract): Promise<TypedDataDomain> {
  const domain = (await forwarder.getFunction("eip712Domain").staticCall()) as unknown as [string, string, string, bigint, string];
  return { name: domain[1], version: domain[2], chainId: domain[3], verifyingContract: getAddress(domain[4]) };
}

export class Forwarder {
  readonly address: string;
  readonly contract: Contract;
  private readonly provider: Provider;
  private readonly timeoutMs: number;
  private domainCache: Promise<TypedDataDomain> | null = null;

  constructor(address: string, provider: Provider, timeoutMs = CHAIN_TIMEOUT_MS) {
    this.address = getAddress(address);
    this.provider = provider;
    this.contract = forwarderContract(this.address, provider);
    this.timeoutMs = timeoutMs;
  }

  private bounded<T>(work: Promise<T>, what: string, signal?: AbortSignal): Promise<T> {
    return bounded(work, { milliseconds: this.timeoutMs, what: `RingsForwarder.${what}`, signal });
  }

  /** The domain requests are signed under (name chosen at deployment, version "1", chain id, address). */
  domain(signal?: AbortSignal): Promise<TypedDataDomain> {
    this.domainCache ??= this.bounded(readForwarderDomain(this.contract), "eip712Domain", signal).catch((error: unknown) => {
      this.domainCache = null;
      throw error;
    });
    return this.domainCache;
  }

  /** The nonce the account's next request must carry. */
  async nonce(account: string, signal?: AbortSignal): Promise<bigint> {
    return BigInt(await this.bounded(callAddressWord(this.provider, this.address, NONCES, account), "nonces", signal));
  }

  /**
   * The transaction that executed `signer`'s request `nonce`, searched in the last `blocks` blocks,
   * with its success flag; null if none did.
   */
  async findExecution(signer: string, nonce: bigint, blocks = 50_000, options?: WaitOptions): Promise<{ txHash: string; success: boolean } | null> {
    const filter = this.contract.filters.ExecutedForwardRequest?.(signer);
    if (filter === undefined) return null;
    const latest = await this.bounded(this.provider.getBlockNumber(), "eth_blockNumber", options?.signal);
    const events = await this.bounded(this.contract.queryFilter(filter, Math.max(0, latest - blocks), latest), "ExecutedForwardRequest", options?.signal);
    for (const event of events) {
      if (!("args" in event)) continue;
      if ((event.args[1] as bigint) === nonce) return { txHash: event.transactionHash, success: event.args[2] as boolean };
    }
    return null;
  }
}
