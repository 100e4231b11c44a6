/**
 * The few chain reads the JSON-RPC methods and the replica follower need, each bounded by a
 * timeout and the caller's AbortSignal: a stalled chain endpoint never holds a request forever.
 */
import { Contract, Interface, type ContractRunner, type Provider } from "ethers";

/** The slice of `Ring` (IRing) used here. */
export const RING_ABI = [
  "function isMember(address account) view returns (bool)",
  "function members() view returns (address[])",
  "function logNodeHeads(address member) view returns (bytes32)",
  "function isTrustedForwarder(address forwarder) view returns (bool)",
  "function updateLogHead(bytes32 head)",
  "event LogHeadUpdated(address indexed member, bytes32 head)",
] as const;

/** The slice of `ReplicaRing` (IReplicaRing) used here. */
export const REPLICA_RING_ABI = [
  "function ring() view returns (address)",
  "function fee() view returns (uint256)",
  "function deposit(address account) payable",
  "function creditOf(address account) view returns (uint256)",
  "function register(address clientRing)",
  "function isRegistered(address clientRing) view returns (bool)",
  "function registrations() view returns (address[])",
  "event RingRegistered(address indexed clientRing, address indexed registrant, uint256 fee)",
] as const;

export const ringInterface = new Interface(RING_ABI);
export const replicaRingInterface = new Interface(REPLICA_RING_ABI);

export class ChainTimeoutError extends Error {
  override name = "ChainTimeoutError";
}

/** Resolves as `work` does, or rejects when `timeoutMs` pass or `signal` aborts. */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ChainTimeoutError(`chain did not answer within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => reject(signal?.reason instanceof Error ? signal.reason : new ChainTimeoutError("aborted"));
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    });
  });
}

export interface ChainReadOptions {
  signal?: AbortSignal;
}

export class ChainReads {
  readonly provider: Provider;
  private readonly timeoutMs: number;
  private chainIdCache: bigint | null = null;

  constructor(provider: Provider, timeoutMs = 10_000) {
    this.provider = provider;
    this.timeoutMs = timeoutMs;
  }

  ring(address: string, runner: ContractRunner = this.provider): Contract {
    return new Contract(address, RING_ABI, runner);
  }

  replicaRing(address: string, runner: ContractRunner = this.provider): Contract {
    return new Contract(address, REPLICA_RING_ABI, runner);
  }

  private bounded<T>(work: Promise<T>, options?: ChainReadOptions): Promise<T> {
    return withDeadline(work, this.timeoutMs, options?.signal);
  }

  async chainId(options?: ChainReadOptions): Promise<bigint> {
    this.chainIdCache ??= (await this.bounded(this.provider.getNetwork(), options)).chainId;
    return this.chainIdCache;
  }

  async isMember(ring: string, account: string, options?: ChainReadOptions): Promise<boolean> {
    return this.bounded(this.ring(ring).getFunction("isMember").staticCall(account) as Promise<boolean>, options);
  }

  async members(ring: string, options?: ChainReadOptions): Promise<string[]> {
    const members = await this.bounded(this.ring(ring).getFunction("members").staticCall() as Promise<string[]>, options);
    return [...members];
  }

  async logNodeHead(ring: string, member: string, options?: ChainReadOptions): Promise<string> {
    return this.bounded(this.ring(ring).getFunction("logNodeHeads").staticCall(member) as Promise<string>, options);
  }

  async isTrustedForwarder(ring: string, forwarder: string, options?: ChainReadOptions): Promise<boolean> {
    return this.bounded(this.ring(ring).getFunction("isTrustedForwarder").staticCall(forwarder) as Promise<boolean>, options);
  }

  async replicaRingOf(replicaRing: string, options?: ChainReadOptions): Promise<string> {
    return this.bounded(this.replicaRing(replicaRing).getFunction("ring").staticCall() as Promise<string>, options);
  }

  async isRegistered(replicaRing: string, clientRing: string, options?: ChainReadOptions): Promise<boolean> {
    return this.bounded(this.replicaRing(replicaRing).getFunction("isRegistered").staticCall(clientRing) as Promise<boolean>, options);
  }

  async registrations(replicaRing: string, options?: ChainReadOptions): Promise<string[]> {
    const rings = await this.bounded(this.replicaRing(replicaRing).getFunction("registrations").staticCall() as Promise<string[]>, options);
    return [...rings];
  }

  async forwarderNonce(forwarder: Contract, account: string, options?: ChainReadOptions): Promise<bigint> {
    return this.bounded(forwarder.getFunction("nonces").staticCall(account) as Promise<bigint>, options);
  }
}
