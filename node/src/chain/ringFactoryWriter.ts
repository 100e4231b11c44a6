/**
 * `RingFactory.createRing` (or `createBlsRing`) from an operator's account (`ring-node ring create`): simulated first, so
 * a refused ring (a repeated member, the zero address, no owner) costs nothing and names its reason,
 * then sent and read back from the factory's `RingCreated` event. Every step is bounded by a timeout
 * and the caller's AbortSignal.
 */
import { Contract, type Provider, type Signer } from "ethers";
import { checksumAddress } from "../core/secp256k1.js";
import { ringFactoryInterface } from "./abi/ringFactory.js";
import type { RingScheme } from "./blsKeys.js";
import { checkedSend, providerOf } from "./checkedSend.js";
import { CHAIN_WRITE_TIMEOUT_MS, type WaitOptions } from "./wait.js";

export interface CreatedRing {
  ring: string;
  owner: string;
  members: string[];
  transactionHash: string;
  blockNumber: number;
  gasUsed: bigint;
  scheme: RingScheme;
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

  /**
   * Creates a ring of `members` owned by `owner`; resolves once mined with the new ring's address.
   * `scheme` "bls": a BlsRing (`createBlsRing`), whose rounds are flushed with one BLS aggregate.
   */
  async createRing(members: readonly string[], owner: string, options?: WaitOptions, scheme: RingScheme = "ecdsa"): Promise<CreatedRing> {
    const method = scheme === "bls" ? "createBlsRing" : "createRing";
    const call = { contract: this.contract, provider: providerOf(this.signer), name: "RingFactory", method, event: "RingCreated", timeoutMs: this.timeoutMs };
    const { event, receipt, transactionHash } = await checkedSend({ ...call, args: [[...members], owner] }, options);
    const created = event.args as unknown as { ring: string; owner: string; members: string[] };
    return {
      ring: checksumAddress(created.ring),
      owner: checksumAddress(created.owner),
      members: [...created.members].map((member) => checksumAddress(member)),
      transactionHash,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      scheme,
    };
  }
}
