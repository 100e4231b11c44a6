/**
 * A restore source that reads the member's own log from a replica node with GetReplicaLog: asked
 * for a node, it fetches the page of the log from that node down (newest first, at most
 * PAGE_NODES nodes and the reply's byte bound) and keeps the page, so a walk down the log costs one
 * request per page, not per node. The request is authorised by the member's own EIP-191 signature
 * (it is a member of the ring on chain) or, when the ring's replica key is at hand (ring-keys.json),
 * by its MAC. A replica that does not answer, or does not hold the node, is "not held": the walk
 * tries the next source. What it serves is verified by the walk (restorePlan.ts), never trusted.
 */
import { getBytes, type Signer } from "ethers";
import type { CID } from "multiformats/cid";
import type { ReplicaLogAuth } from "../api/requests.js";
import { cidOfBytes } from "../core/cid.js";
import { replicaLogAuth, signReplicaLogAuth } from "../client/requests.js";
import type { RingsRpcClient } from "../client/ringsRpcClient.js";
import type { RestoreSource } from "./restorePlan.js";

/** Nodes asked for per GetReplicaLog call (the API's most). */
export const PAGE_NODES = 1_000;

/** Pages' nodes kept at once (cleared when full; a walk only goes down, so a page is used once). */
const MAX_CACHED = 10_000;

export interface ReplicaLogSourceOptions {
  /** A name for logs and errors (the replica's URL). */
  name: string;
  client: Pick<RingsRpcClient, "getReplicaLog">;
  ring: string;
  /** The member restoring (its own log). */
  member: string;
  /** Signs the read authorisation as the member. */
  signer: Pick<Signer, "signMessage">;
  /** The ring's replica key, when held: MACs instead of signatures. */
  replicaKey?: Uint8Array;
  /** Only nodes above this seq are asked for (the held log's last seq; -1 when none is held). */
  sinceSeq: number;
  /** Per call. Default 15 s. */
  timeoutMs?: number;
}

export class ReplicaLogSource implements RestoreSource {
  readonly name: string;
  private readonly cache = new Map<string, Uint8Array>();

  constructor(private readonly options: ReplicaLogSourceOptions) {
    this.name = options.name;
  }

  async get(cid: CID, signal: AbortSignal): Promise<Uint8Array | null> {
    const key = cid.toString();
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const { client, ring, member, sinceSeq } = this.options;
    const page = await client.getReplicaLog(
      { ring, member, from: key, sinceSeq, limit: PAGE_NODES, auth: await this.auth() },
      { signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs ?? 15_000)]) },
    );
    if (this.cache.size + page.nodes.length > MAX_CACHED) this.cache.clear();
    for (const hex of page.nodes) {
      const bytes = getBytes(hex);
      this.cache.set((await cidOfBytes(bytes)).toString(), bytes);
    }
    return this.cache.get(key) ?? null;
  }

  private auth(): Promise<ReplicaLogAuth> {
    const target = { ring: this.options.ring, member: this.options.member };
    if (this.options.replicaKey !== undefined) return Promise.resolve(replicaLogAuth(this.options.replicaKey, target));
    return signReplicaLogAuth(this.options.signer as Signer, target);
  }
}
