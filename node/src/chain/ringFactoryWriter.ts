/**
 * `RingFactory.createRing` from an operator's account (`ring-node ring create`): simulated first, so
 * a refused ring (a repeated member, the zero address, no owner) costs nothing and names its reason,
 * then sent and read back from the factory's `RingCreated` event. Every step is bounded by a timeout
 * and the caller's AbortSignal.
 */
import { Contract, isError, type Provider, type Signer } from "ethers";
import { checksumAddress } from "../core/secp256k1.js";
import { ringFactoryInterface } from "./abi/ringFactory.js";
import { CallRefusedError, ChainCallError, ChainWriteTimeoutError, TransactionRevertedError } from "./errors.js";
import { bounded, CHAIN_WRITE_TIMEOUT_MS, waitForReceipt, type WaitOptions } from "./wait.js";

export interface CreatedRing {
  ring: string;
  owner: string;
  members: string[];
  transactionHash: string;
  blockNumber: number;
  gasUsed: bigint;
}

/** The custom error (or reason string) of a refused call, as `Name(arg, …)`; null if it is not a refusal. */
export function refusalReason(error: unknown): string | null {
  if (!isError(error, "CALL_EXCEPTION")) return null;
  if (error.revert !== null && error.revert !== undefined) return `${error.revert.name}(${error.revert.args.map(String).join(", ")})`;
  if (typeof error.data === "string" && error.data.length >= 10) {
    const parsed = ringFactoryInterface.parseError(error.data);
    if (parsed !== null) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
  }
  return error.reason ?? "reverted without a reason";
}

export class RingFactoryWriter {
  readonly factory: string;
  private readonly contract: Contract;

  constructor(
    factory: string,
    private readonly signer: Signer & { provider: Provider | null },
    private readonly timeoutMs = CHAIN_WRITE_TIMEOUT_MS,
  ) {
    this.factory = checksumAddress(factory);
    this.contract = new Contract(this.factory, ringFactoryInterface, signer);
  }

  /** Creates a ring of `members` owned by `owner`; resolves once mined with the new ring's address. */
  async createRing(members: readonly string[], owner: string, options?: WaitOptions): Promise<CreatedRing> {
    const provider = this.signer.provider;
    if (provider === null) throw new ChainCallError("the signer has no provider");
    const code = await this.bounded(provider.getCode(this.factory), "eth_getCode", options);
    if (code === "0x") throw new ChainCallError(`no contract at the RingFactory address ${this.factory}`);
    const args = [[...members], owner];
    const create = this.contract.getFunction("createRing");
    try {
      await this.bounded(create.staticCall(...args), "RingFactory.createRing (simulation)", options);
    } catch (error) {
      const reason = refusalReason(error);
      if (reason === null) throw error;
      throw new CallRefusedError(`RingFactory.createRing would revert: ${reason}`, reason);
    }
    const sent = await this.bounded(create.send(...args), "RingFactory.createRing", options);
    const receipt = await this.bounded(waitForReceipt(provider, sent.hash, this.timeoutMs, options?.signal), "RingFactory.createRing receipt", options);
    if (receipt.status !== 1) throw new TransactionRevertedError(`RingFactory.createRing reverted in ${sent.hash}`);
    for (const log of receipt.logs) {
      if (checksumAddress(log.address) !== this.factory) continue;
      const parsed = ringFactoryInterface.parseLog(log);
      if (parsed?.name !== "RingCreated") continue;
      const created = parsed.args as unknown as { ring: string; owner: string; members: string[] };
      return {
        ring: checksumAddress(created.ring),
        owner: checksumAddress(created.owner),
        members: [...created.members].map((member) => checksumAddress(member)),
        transactionHash: sent.hash,
        blockNumber: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
      };
    }
    throw new ChainCallError(`RingFactory.createRing in ${sent.hash} emitted no RingCreated`);
  }

  private bounded<T>(work: Promise<T>, what: string, options?: WaitOptions): Promise<T> {
    return bounded(work, { milliseconds: this.timeoutMs, what, signal: options?.signal, error: (message) => new ChainWriteTimeoutError(message) });
  }
}
