/**
 * `RingFactory.createRing` (or `createBlsRing`, `createPublicRing`) and `createReplicaRingWithPeriod`
 * from an operator's account (`ring-node ring create`, `ring-node replica create`): simulated first,
 * so a refused ring (a repeated member, the zero address, no owner) costs nothing and names its
 * reason, then sent and read back from the factory's event. Every step is bounded by a timeout and
 * the caller's AbortSignal.
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
  /** Created public (`createPublicRing`): the members write their entries in the clear. */
  public: boolean;
}

export interface CreatedReplicaRing {
  ring: string;
  replicaRing: string;
  /** Wei per registration period. */
  fee: bigint;
  /** Seconds of retention one fee pays for. */
  period: bigint;
  transactionHash: string;
  blockNumber: number;
  gasUsed: bigint;
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

  private call(method: string, event: string, args: readonly unknown[], options?: WaitOptions) {
    return checkedSend({ contract: this.contract, provider: providerOf(this.signer), name: "RingFactory", method, event, args, timeoutMs: this.timeoutMs }, options);
  }

  /**
   * Creates a ring of `members` owned by `owner`; resolves once mined with the new ring's address.
   * `scheme` "bls": a BlsRing (`createBlsRing`), whose rounds are flushed with one BLS aggregate.
   * `isPublic`: recorded as public (`createPublicRing`), so its members write in the clear.
   */
  async createRing(members: readonly string[], owner: string, options?: WaitOptions, scheme: RingScheme = "ecdsa", isPublic = false): Promise<CreatedRing> {
    const sent = isPublic
      ? await this.call("createPublicRing", "RingCreated", [[...members], owner, scheme === "bls"], options)
      : await this.call(scheme === "bls" ? "createBlsRing" : "createRing", "RingCreated", [[...members], owner], options);
    const created = sent.event.args as unknown as { ring: string; owner: string; members: string[] };
    return {
      ring: checksumAddress(created.ring),
      owner: checksumAddress(created.owner),
      members: [...created.members].map((member) => checksumAddress(member)),
      transactionHash: sent.transactionHash,
      blockNumber: sent.receipt.blockNumber,
      gasUsed: sent.receipt.gasUsed,
      scheme,
      public: isPublic,
    };
  }

  /** Creates a ring of replica nodes and its ReplicaRing charging `fee` wei per `period` seconds (default the factory's 30 days). */
  async createReplicaRing(members: readonly string[], owner: string, fee: bigint, period?: bigint, options?: WaitOptions): Promise<CreatedReplicaRing> {
    const seconds = period ?? BigInt(await (this.contract.getFunction("DEFAULT_REPLICA_PERIOD").staticCall() as Promise<bigint>));
    const sent = await this.call("createReplicaRingWithPeriod", "ReplicaRingCreated", [[...members], owner, fee, seconds], options);
    const created = sent.event.args as unknown as { replicaRing: string; ring: string; fee: bigint };
    return {
      ring: checksumAddress(created.ring),
      replicaRing: checksumAddress(created.replicaRing),
      fee: created.fee,
      period: seconds,
      transactionHash: sent.transactionHash,
      blockNumber: sent.receipt.blockNumber,
      gasUsed: sent.receipt.gasUsed,
    };
  }
}
