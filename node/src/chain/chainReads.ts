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

export class ChainCallError extends Error {
  override name = "ChainCallError";
}

const IS_MEMBER = ringInterface.getFunction("isMember")?.selector as string;
const LOG_NODE_HEADS = ringInterface.getFunction("logNodeHeads")?.selector as string;
/** `nonces(address)` of ERC2771Forwarder (OpenZeppelin's Nonces). */
export const NONCES_SELECTOR = "0x7ecebe00";

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
  private readonly contracts = new Map<string, Contract>();

  constructor(provider: Provider, timeoutMs = 10_000) {
    this.provider = provider;
    this.timeoutMs = timeoutMs;
  }

  ring(address: string, runner?: ContractRunner): Contract {
    return runner === undefined ? this.cached("ring", address, ringInterface) : new Contract(address, ringInterface, runner);
  }

  replicaRing(address: string, runner?: ContractRunner): Contract {
    return runner === undefined ? this.cached("replica", address, replicaRingInterface) : new Contract(address, replicaRingInterface, runner);
  }

  /** One read-only Contract per address: building one parses its ABI, which is not free. */
  private cached(kind: string, address: string, abi: Interface): Contract {
    const key = `${kind}:${address.toLowerCase()}`;
    let contract = this.contracts.get(key);
    if (contract === undefined) {
      contract = new Contract(address, abi, this.provider);
      this.contracts.set(key, contract);
    }
    return contract;
  }

  private bounded<T>(work: Promise<T>, options?: ChainReadOptions): Promise<T> {
    return withDeadline(work, this.timeoutMs, options?.signal);
  }

  async chainId(options?: ChainReadOptions): Promise<bigint> {
    this.chainIdCache ??= (await this.bounded(this.provider.getNetwork(), options)).chainId;
    return this.chainIdCache;
  }

  async isMember(ring: string, account: string, options?: ChainReadOptions): Promise<boolean> {
    return BigInt(await this.bounded(callAddressWord(this.provider, ring, IS_MEMBER, account), options)) !== 0n;
  }

  async members(ring: string, options?: ChainReadOptions): Promise<string[]> {
    const members = await this.bounded(this.ring(ring).getFunction("members").staticCall() as Promise<string[]>, options);
    return [...members];
  }

  /** The member's head on chain, as bytes32 hex (lower case). */
  async logNodeHead(ring: string, member: string, options?: ChainReadOptions): Promise<string> {
    return this.bounded(callAddressWord(this.provider, ring, LOG_NODE_HEADS, member), options);
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
}
