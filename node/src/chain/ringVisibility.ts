/**
 * Whether a ring is public — its members write their log entries in the clear, with no read keys —
 * as the chain records it: a property of the ring fixed at its creation (`RingFactory.createPublicRing`,
 * `ring-node ring create --public`), read from the factory that made it, so every member reads the
 * same answer. The factory is the configured one, else the deploy records' of the chain; it counts
 * only if it lists the ring (`isRing`), so records of an earlier dev chain are ignored.
 */
import type { Provider } from "ethers";
import { RingFactoryReads } from "./contractReads.js";
import { readRingsAddresses } from "./deployment.js";
import { RingNotPublicError } from "./errors.js";
import type { WaitOptions } from "./wait.js";

export interface RingVisibility {
  public: boolean;
  /** The factory that made the ring and answered; null when none was found (the ring counts as not public). */
  factory: string | null;
}

/** The ring's visibility from `factory` (else the deploy records of `chainId`, if they list the ring). */
export async function readRingVisibility(provider: Provider, ring: string, chainId: bigint, factory: string | undefined, options: WaitOptions = {}): Promise<RingVisibility> {
  const candidates: string[] = factory === undefined ? [] : [factory];
  if (factory === undefined) {
    try {
      candidates.push((await readRingsAddresses(chainId)).factory);
    } catch {
      // no deploy records here: the factory is unknown
    }
  }
  for (const candidate of candidates) {
    const reads = new RingFactoryReads(candidate, provider);
    let listed = false;
    try {
      listed = await reads.isRing(ring, options);
    } catch {
      // not a factory (stale records)
    }
    if (!listed) continue;
    // A factory from before public rings has no isPublic: its rings are not public.
    const isPublic = await reads.isPublic(ring, options).catch(() => false);
    return { public: isPublic, factory: candidate };
  }
  return { public: false, factory: null };
}

/**
 * Whether the node writes in the clear: exactly when the ring is public. `expectPublic` (the
 * node's `--public-ring on`) for a ring the chain does not record as public is refused, so no
 * member writes plaintext into a ring the others seal.
 */
export function writesInTheClear(ring: string, visibility: RingVisibility, expectPublic: boolean): boolean {
  if (visibility.public) return true;
  if (!expectPublic) return false;
  const where = visibility.factory === null ? "no RingFactory that lists it was found (give --factory)" : `its RingFactory ${visibility.factory} records it as not public`;
  throw new RingNotPublicError(`--public-ring on, but ring ${ring} is not public: ${where}. A ring is public only when created with \`ring-node ring create --public\`; its members seal their entries with read keys`);
}
