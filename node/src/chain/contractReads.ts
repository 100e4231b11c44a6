/**
 * Typed reads of one contract each (Ring, ReplicaRing, RingFactory, Gate) over any ethers
 * provider: results as plain TypeScript values, every call bounded by a timeout and the caller's
 * AbortSignal, optionally at a fixed block (so a snapshot's reads agree with each other).
 */
import { Contract, type BlockTag, type Interface, type Log, type Provider } from "ethers";
import { checksumAddress } from "../core/secp256k1.js";
import { gateInterface } from "./abi/gate.js";
import { replicaRingInterface } from "./abi/replicaRing.js";
import { ringInterface } from "./abi/ring.js";
import { ringFactoryInterface } from "./abi/ringFactory.js";
import { ringEventOf, type RingEventRecord } from "./ringEvents.js";
import { bounded, CHAIN_TIMEOUT_MS, type WaitOptions } from "./wait.js";

export interface ReadOptions extends WaitOptions {
  /** Read at this block instead of the latest. */
  blockTag?: BlockTag;
}

/** Blocks per eth_getLogs request (public endpoints cap ranges). */
export const LOG_RANGE = 2_000;

abstract class ContractReads {
  readonly address: string;
  protected readonly contract: Contract;

  constructor(
    address: string,
    /** The contract's name, for error messages. */
    private readonly label: string,
    abi: Interface,
    readonly provider: Provider,
    protected readonly timeoutMs = CHAIN_TIMEOUT_MS,
  ) {
    this.address = checksumAddress(address);
    this.contract = new Contract(this.address, abi, provider);
  }

  protected view<T>(name: string, args: unknown[], options?: ReadOptions): Promise<T> {
    const call = this.contract.getFunction(name).staticCall(...args, { blockTag: options?.blockTag }) as Promise<T>;
    return bounded(call, { milliseconds: this.timeoutMs, what: `${this.label}.${name}`, signal: options?.signal });
  }

  /** This contract's raw logs in [fromBlock, toBlock], fetched LOG_RANGE blocks at a time. */
  async logs(fromBlock: number, toBlock: number, options?: WaitOptions): Promise<Log[]> {
    const all: Log[] = [];
    for (let from = fromBlock; from <= toBlock; from += LOG_RANGE) {
      const range = { address: this.address, fromBlock: from, toBlock: Math.min(toBlock, from + LOG_RANGE - 1) };
      all.push(...(await bounded(this.provider.getLogs(range), { milliseconds: this.timeoutMs, what: "eth_getLogs", signal: options?.signal })));
    }
    return all;
  }
}

export class RingReads extends ContractReads {
  constructor(address: string, provider: Provider, timeoutMs?: number) {
    super(address, "Ring", ringInterface, provider, timeoutMs);
  }

  /** Current members, checksummed, in the contract's order. */
  async members(options?: ReadOptions): Promise<string[]> {
    return (await this.view<string[]>("members", [], options)).map((member) => checksumAddress(member));
  }

  isMember(account: string, options?: ReadOptions): Promise<boolean> {
    return this.view("isMember", [account], options);
  }

  owner(options?: ReadOptions): Promise<string> {
    return this.view("owner", [], options);
  }

  requiredVotes(options?: ReadOptions): Promise<bigint> {
    return this.view("requiredVotes", [], options);
  }

  round(options?: ReadOptions): Promise<bigint> {
    return this.view("round", [], options);
  }

  /** The membership epoch every vote signs: one more on each admission and removal. */
  membershipEpoch(options?: ReadOptions): Promise<bigint> {
    return this.view("membershipEpoch", [], options);
  }

  /** The ring's head (bytes32 digest; zero before the first flush). */
  ringNodeHead(options?: ReadOptions): Promise<string> {
    return this.view("ringNodeHead", [], options);
  }

  /** The ring head recorded for `round` (zero when not kept or not flushed). */
  ringLog(round: bigint | number, options?: ReadOptions): Promise<string> {
    return this.view("ringLog", [round], options);
  }

  /** What a member published: its multiaddr and its PeerId as multihash bytes (0x hex, "0x" when none). */
  async nodeInfo(member: string, options?: ReadOptions): Promise<{ multiaddr: string; peerId: string }> {
    const [multiaddr, peerId] = await this.view<[string, string]>("nodeInfo", [member], options);
    return { multiaddr, peerId };
  }

  /** The member's log head (bytes32 digest; zero when none). */
  logNodeHead(member: string, options?: ReadOptions): Promise<string> {
    return this.view("logNodeHeads", [member], options);
  }

  async reputation(account: string, options?: ReadOptions): Promise<{ agreements: bigint; dissents: bigint }> {
    const [agreements, dissents] = await this.view<[bigint, bigint]>("reputation", [account], options);
    return { agreements, dissents };
  }

  /** The ERC2771 forwarder the ring trusts (relayed requests go through it). */
  async trustedForwarder(options?: ReadOptions): Promise<string> {
    return checksumAddress(await this.view<string>("trustedForwarder", [], options));
  }

  isTrustedForwarder(forwarder: string, options?: ReadOptions): Promise<boolean> {
    return this.view("isTrustedForwarder", [forwarder], options);
  }

  /** The ring's events in [fromBlock, toBlock], decoded (other logs skipped). */
  async events(fromBlock: number, toBlock: number, options?: WaitOptions): Promise<RingEventRecord[]> {
    return (await this.logs(fromBlock, toBlock, options)).flatMap((log) => ringEventOf(log) ?? []);
  }
}

export interface RingRegistration {
  clientRing: string;
  registrant: string;
  fee: bigint;
  blockNumber: number;
  transactionHash: string;
}

export class ReplicaRingReads extends ContractReads {
  constructor(address: string, provider: Provider, timeoutMs?: number) {
    super(address, "ReplicaRing", replicaRingInterface, provider, timeoutMs);
  }

  /** The ring whose members serve this ReplicaRing. */
  async ring(options?: ReadOptions): Promise<string> {
    return checksumAddress(await this.view<string>("ring", [], options));
  }

  fee(options?: ReadOptions): Promise<bigint> {
    return this.view("fee", [], options);
  }

  isRegistered(clientRing: string, options?: ReadOptions): Promise<boolean> {
    return this.view("isRegistered", [clientRing], options);
  }

  /** What `account` has deposited and not yet spent on registrations. */
  creditOf(account: string, options?: ReadOptions): Promise<bigint> {
    return this.view("creditOf", [account], options);
  }

  replicaKeyCommitmentOf(clientRing: string, options?: ReadOptions): Promise<string> {
    return this.view("replicaKeyCommitmentOf", [clientRing], options);
  }

  async registrations(options?: ReadOptions): Promise<string[]> {
    return [...(await this.view<string[]>("registrations", [], options))];
  }

  /** The JSON-RPC URL `member`'s replica node published ("" if none, or `member` left the replica ring's ring). */
  endpointOf(member: string, options?: ReadOptions): Promise<string> {
    return this.view("endpointOf", [member], options);
  }

  /** When `clientRing`'s paid registration runs out (unix seconds; 0 if never registered). */
  async expiresAt(clientRing: string, options?: ReadOptions): Promise<number> {
    return Number(await this.view<bigint>("expiresAt", [clientRing], options));
  }

  /** RingRegistered events in [fromBlock, toBlock]. */
  async registered(fromBlock: number, toBlock: number, options?: WaitOptions): Promise<RingRegistration[]> {
    return (await this.logs(fromBlock, toBlock, options)).flatMap((log) => {
      const parsed = replicaRingInterface.parseLog(log);
      if (parsed?.name !== "RingRegistered") return [];
      const { clientRing, registrant, fee } = parsed.args as unknown as { clientRing: string; registrant: string; fee: bigint };
      return [{ clientRing: checksumAddress(clientRing), registrant: checksumAddress(registrant), fee, blockNumber: log.blockNumber, transactionHash: log.transactionHash }];
    });
  }
}

export class RingFactoryReads extends ContractReads {
  constructor(address: string, provider: Provider, timeoutMs?: number) {
    super(address, "RingFactory", ringFactoryInterface, provider, timeoutMs);
  }

  async rings(options?: ReadOptions): Promise<string[]> {
    return [...(await this.view<string[]>("rings", [], options))];
  }

  async replicaRings(options?: ReadOptions): Promise<string[]> {
    return [...(await this.view<string[]>("replicaRings", [], options))];
  }

  isRing(account: string, options?: ReadOptions): Promise<boolean> {
    return this.view("isRing", [account], options);
  }

  /** Whether `ring` was created public (`createPublicRing`): its members write in the clear. */
  isPublic(ring: string, options?: ReadOptions): Promise<boolean> {
    return this.view("isPublic", [ring], options);
  }

  /** The ReplicaRing that `ring`'s members serve (zero address when `ring` is not a replica ring). */
  async replicaRingOf(ring: string, options?: ReadOptions): Promise<string> {
    return checksumAddress(await this.view<string>("replicaRingOf", [ring], options));
  }
}

export interface GateOutput {
  /** The output's token id: the sha2-256 digest of its CID (0 when none). */
  tokenId: bigint;
  /** How many outputs the ring emitted on the pin (0 when none). */
  sequence: bigint;
}

export class GateReads extends ContractReads {
  constructor(address: string, provider: Provider, timeoutMs?: number) {
    super(address, "Gate", gateInterface, provider, timeoutMs);
  }

  /** `ring`'s latest output on its pin `pin` (sequence 0 when none): only `ring` writes it. */
  async latest(ring: string, pin: bigint | number, options?: ReadOptions): Promise<GateOutput> {
    const [tokenId, sequence] = await this.view<[bigint, bigint]>("latest", [checksumAddress(ring), pin], options);
    return { tokenId, sequence };
  }
}
