/**
 * Where the replica nodes of a replica ring serve JSON-RPC (GetReplicaLog, ReplicateRing,
 * FlushToRing): each member of the ReplicaRing's Ring publishes its URL with
 * `ReplicaRing.setEndpoint` (rpc/endpointPublisher.ts), and a client ring's member reads them back
 * here, so it finds its replicas from the chain instead of being told out of band. Only http(s)
 * URLs count; at most MAX_ENDPOINTS_PER_REPLICA_RING members are asked (one eth_call each).
 */
import { checksumAddress } from "../core/secp256k1.js";
import type { ChainReads } from "./chainReads.js";

/** The most members of one replica ring whose endpoints are read. */
export const MAX_ENDPOINTS_PER_REPLICA_RING = 64;

export interface ReplicaEndpoint {
  /** The ReplicaRing contract. */
  replicaRing: string;
  /** The replica node's account (a member of the ReplicaRing's Ring). */
  member: string;
  url: string;
}

/** `text` when it is an http(s) URL, else null. */
export function httpUrl(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? text : null;
  } catch {
    return null;
  }
}

/** The endpoints the members of `replicaRing`'s Ring published (members without one left out). */
export async function replicaEndpoints(reads: Pick<ChainReads, "replicaRing" | "members">, replicaRing: string, signal: AbortSignal): Promise<ReplicaEndpoint[]> {
  const contract = reads.replicaRing(replicaRing);
  const members = (await reads.members(await contract.ring({ signal }), { signal })).slice(0, MAX_ENDPOINTS_PER_REPLICA_RING);
  const urls = await Promise.all(members.map((member) => contract.endpointOf(member, { signal })));
  return members.flatMap((member, i) => {
    const url = httpUrl(urls[i] ?? "");
    return url === null ? [] : [{ replicaRing: checksumAddress(replicaRing), member: checksumAddress(member), url }];
  });
}
