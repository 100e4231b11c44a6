/**
 * A BlsRing's key registry as the node reads it: whether a ring is a BlsRing at all (its scheme),
 * and the registered keys by member and by bitmap index, read at one block so they agree with each
 * other, cached until an event says they changed (`invalidate`, called by the chain view on a
 * key's registration or removal and on every membership change). Every call is bounded.
 */
import { Contract, isError, type Provider } from "ethers";
import { g1FromWords, type BlsPublicKey, type G1Words } from "../core/bls.js";
import { checksumAddress } from "../core/secp256k1.js";
import { blsRingInterface } from "./abi/blsRing.js";
import { bounded, CHAIN_TIMEOUT_MS, type WaitOptions } from "./wait.js";

/** How a ring's rounds are signed: ECDSA votes (Ring.flush) or one BLS aggregate (BlsRing.flushAggregate). */
export type RingScheme = "ecdsa" | "bls";

/** Most keys read (a bitmap of 256 members is one word; the contracts are measured to 256). */
export const MAX_BLS_KEYS = 1_024;

export interface RegisteredBlsKey {
  member: string;
  /** The key's bit in signer bitmaps. */
  index: number;
  key: BlsPublicKey;
}

/** The registry at one block: keys by (checksummed) member and in index order. */
export interface BlsKeySet {
  byMember: ReadonlyMap<string, RegisteredBlsKey>;
  byIndex: readonly RegisteredBlsKey[];
}

/** "bls" when `ring` answers the BlsRing's `blsKeyCount()`, "ecdsa" when the call reverts (a plain Ring has no such function). */
export async function ringScheme(provider: Provider, ring: string, options?: WaitOptions & { timeoutMs?: number }): Promise<RingScheme> {
  const contract = new Contract(checksumAddress(ring), blsRingInterface, provider);
  try {
    await bounded(contract.getFunction("blsKeyCount").staticCall() as Promise<bigint>, { milliseconds: options?.timeoutMs ?? CHAIN_TIMEOUT_MS, what: "BlsRing.blsKeyCount", signal: options?.signal });
    return "bls";
  } catch (error) {
    if (isRevert(error)) return "ecdsa";
    throw error;
  }
}

/** A call that reverted (ethers' CALL_EXCEPTION, or a provider's JSON-RPC error 3 as Hardhat's in-process one throws), not a network failure. */
function isRevert(error: unknown): boolean {
  if (isError(error, "CALL_EXCEPTION") || isError(error, "BAD_DATA")) return true;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 3 || (typeof message === "string" && /revert|function selector was not recognized/i.test(message));
}

export class BlsKeyBook {
  private readonly contract: Contract;
  private cached: Promise<BlsKeySet> | null = null;

  constructor(
    ring: string,
    private readonly provider: Provider,
    private readonly timeoutMs = CHAIN_TIMEOUT_MS,
  ) {
    this.contract = new Contract(checksumAddress(ring), blsRingInterface, provider);
  }

  /** The registered keys, read once and kept until `invalidate`; a failed read is not kept. */
  keys(options?: WaitOptions): Promise<BlsKeySet> {
    if (this.cached === null) {
      const reading = this.read(options);
      this.cached = reading;
      reading.catch(() => {
        if (this.cached === reading) this.cached = null;
      });
    }
    return this.cached;
  }

  /** The registry changed (or may have): the next `keys()` reads it again. */
  invalidate(): void {
    this.cached = null;
  }

  private async read(options?: WaitOptions): Promise<BlsKeySet> {
    const blockTag = await this.bounded(this.provider.getBlockNumber(), "eth_blockNumber", options);
    const view = <T>(name: string, args: unknown[]): Promise<T> => this.bounded(this.contract.getFunction(name).staticCall(...args, { blockTag }) as Promise<T>, `BlsRing.${name}`, options);
    const count = Number(await view<bigint>("blsKeyCount", []));
    if (count > MAX_BLS_KEYS) throw new RangeError(`the ring has ${count} BLS keys, more than the ${MAX_BLS_KEYS} read`);
    const byIndex = await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const member = checksumAddress(await view<string>("blsKeyHolder", [index]));
        const [, , words] = await view<[boolean, bigint, G1Words]>("blsKeyOf", [member]);
        return { member, index, key: g1FromWords({ xHi: words.xHi, xLo: words.xLo, yHi: words.yHi, yLo: words.yLo }) };
      }),
    );
    return { byMember: new Map(byIndex.map((entry) => [entry.member, entry])), byIndex };
  }

  private bounded<T>(work: Promise<T>, what: string, options?: WaitOptions): Promise<T> {
    return bounded(work, { milliseconds: this.timeoutMs, what, signal: options?.signal });
  }
}
