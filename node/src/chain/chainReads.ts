/**
 * The chain reads the JSON-RPC methods and the replica follower need, across any number of rings:
 * each bounded by a timeout and the caller's AbortSignal, so a stalled chain endpoint never holds
 * a request forever.
 */
import type { Provider } from "ethers";
import { ringInterface } from "./abi/ring.js";
import { RingReads, ReplicaRingReads, type ReadOptions } from "./contractReads.js";
import { ChainCallError } from "./errors.js";
import { bounded, CHAIN_TIMEOUT_MS } from "./wait.js";

/** The options every read takes (an AbortSignal; a block to read at). */
export type ChainReadOptions = ReadOptions;

const IS_MEMBER = ringInterface.getFunction("isMember")?.selector as string;
const LOG_NODE_HEADS = ringInterface.getFunction("logNodeHeads")?.selector as string;

/**
 * `eth_call` of a view taking one address and returning one 32-byte word, without ethers'
 * Contract encoding and result formatting (these reads run several times per JSON-RPC request).
 */
export async function callAddressWord(provider: Provider, to: string, selector: string, account: string): Promise<string> {
  const data = `${selector}${account.slice(2).toLowerCase().padStart(64, "0")}`;
  const raw = provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> };
  const result = typeof raw.send === "function" ? await raw.send("eth_call", [{ to, data }, "latest"]) : await provider.call({ to, data });
  if (typeof result !== "string" || !/^0x[0-9a-fA-F]{64}/.test(result)) throw new ChainCallError(`${to} answered ${String(result).slice(0, 80)} to ${selector}`);
  return result.slice(0, 66).toLowerCase();
}

export class ChainReads {
  readonly provider: Provider;
  private readonly timeoutMs: number;
  private chainIdCache: bigint | null = null;
  private readonly readers = new Map<string, RingReads | ReplicaRingReads>();

  constructor(provider: Provider, timeoutMs = CHAIN_TIMEOUT_MS) {
    this.provider = provider;
    this.timeoutMs = timeoutMs;
  }

  /** Typed reads of the Ring at `address` (one per address: building one parses its ABI, which is not free). */
  ring(address: string): RingReads {
    return this.cached(`ring:${address.toLowerCase()}`, () => new RingReads(address, this.provider, this.timeoutMs));
  }

  /** Typed reads of the ReplicaRing at `address`. */
  replicaRing(address: string): ReplicaRingReads {
    return this.cached(`replica:${address.toLowerCase()}`, () => new ReplicaRingReads(address, this.provider, this.timeoutMs));
  }

  private cached<T extends RingReads | ReplicaRingReads>(key: string, create: () => T): T {
    let reader = this.readers.get(key) as T | undefined;
    if (reader === undefined) {
      reader = create();
      this.readers.set(key, reader);
    }
    return reader;
  }

  private bounded<T>(work: Promise<T>, what: string, options?: ChainReadOptions): Promise<T> {
    return bounded(work, { milliseconds: this.timeoutMs, what, signal: options?.signal });
  }

  async chainId(options?: ChainReadOptions): Promise<bigint> {
    this.chainIdCache ??= (await this.bounded(this.provider.getNetwork(), "eth_chainId", options)).chainId;
    return this.chainIdCache;
  }

  async isMember(ring: string, account: string, options?: ChainReadOptions): Promise<boolean> {
    return BigInt(await this.bounded(callAddressWord(this.provider, ring, IS_MEMBER, account), "Ring.isMember", options)) !== 0n;
  }

  members(ring: string, options?: ChainReadOptions): Promise<string[]> {
    return this.ring(ring).members(options);
  }

  /** The membership epoch the ring's votes must sign now. */
  membershipEpoch(ring: string, options?: ChainReadOptions): Promise<bigint> {
    return this.ring(ring).membershipEpoch(options);
  }

  /** The member's head on chain, as bytes32 hex (lower case). */
  logNodeHead(ring: string, member: string, options?: ChainReadOptions): Promise<string> {
    return this.bounded(callAddressWord(this.provider, ring, LOG_NODE_HEADS, member), "Ring.logNodeHeads", options);
  }

  /** The ring's head (bytes32 digest of its latest ring log node; zero before the first flush). */
  ringNodeHead(ring: string, options?: ChainReadOptions): Promise<string> {
    return this.ring(ring).ringNodeHead(options);
  }

  /** What `member` of `ring` published: its multiaddr and PeerId (as chain bytes, "0x" when none). */
  nodeInfo(ring: string, member: string, options?: ChainReadOptions): Promise<{ multiaddr: string; peerId: string }> {
    return this.ring(ring).nodeInfo(member, options);
  }

  /** The ERC2771 forwarder `ring` trusts. */
  trustedForwarder(ring: string, options?: ChainReadOptions): Promise<string> {
    return this.ring(ring).trustedForwarder(options);
  }

  isTrustedForwarder(ring: string, forwarder: string, options?: ChainReadOptions): Promise<boolean> {
    return this.ring(ring).isTrustedForwarder(forwarder, options);
  }

  /** The ring a ReplicaRing serves. */
  replicaRingOf(replicaRing: string, options?: ChainReadOptions): Promise<string> {
    return this.replicaRing(replicaRing).ring(options);
  }

  isRegistered(replicaRing: string, clientRing: string, options?: ChainReadOptions): Promise<boolean> {
    return this.replicaRing(replicaRing).isRegistered(clientRing, options);
  }

  /** The replica key commitment `clientRing` registered with (zero bytes32 if not registered). */
  replicaKeyCommitmentOf(replicaRing: string, clientRing: string, options?: ChainReadOptions): Promise<string> {
    return this.replicaRing(replicaRing).replicaKeyCommitmentOf(clientRing, options);
  }

  registrations(replicaRing: string, options?: ChainReadOptions): Promise<string[]> {
    return this.replicaRing(replicaRing).registrations(options);
  }

  /** When `clientRing`'s registration with `replicaRing` runs out (unix seconds; 0 if never registered). */
  registrationExpiresAt(replicaRing: string, clientRing: string, options?: ChainReadOptions): Promise<number> {
    return this.replicaRing(replicaRing).expiresAt(clientRing, options);
  }
}
