/**
 * What a replica node holds of its client rings: their members' verified log nodes, as the
 * signed dag-cbor blocks (payloads still encrypted with the client ring's read key), in the node's
 * blockstore, plus an index of each member's latest verified head in the datastore. It serves the
 * blocks back as they are; it never sees a payload in the clear.
 */
import { Key, type Datastore } from "interface-datastore";
import type { Blockstore } from "interface-blockstore";
import { getAddress } from "ethers";
import { CID } from "multiformats/cid";
import { decodeLogNode, type EncodedLogNode } from "../core/logNode.js";

export interface ReplicaHead {
  cid: CID;
  seq: number;
}

export interface ReplicaStoreOptions {
  /** Local blocks only: `get` must not go to the network for a block that is not held. */
  blockstore: Pick<Blockstore, "get" | "put" | "has">;
  datastore: Pick<Datastore, "get" | "put" | "has" | "query">;
  /** Optional: pins a stored block so garbage collection keeps it. */
  pin?: (cid: CID) => Promise<void>;
}

export class ReplicaBlockMissingError extends Error {
  override name = "ReplicaBlockMissingError";
}

const HEAD_PREFIX = "/rings/replica/heads";

function headKey(ring: string, member: string): Key {
  return new Key(`${HEAD_PREFIX}/${getAddress(ring)}/${getAddress(member)}`);
}

/** Concatenates a block's bytes, whichever shape the blockstore returns them in. */
export async function readBlockBytes(output: unknown): Promise<Uint8Array> {
  const resolved = await (output as Promise<unknown>);
  if (resolved instanceof Uint8Array) return resolved;
  const chunks: Uint8Array[] = [];
  for await (const chunk of resolved as AsyncIterable<Uint8Array>) chunks.push(chunk);
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

export class ReplicaStore {
  private readonly options: ReplicaStoreOptions;
  /** Serialises head updates per member, so concurrent stores cannot move a head backwards. */
  private readonly headLocks = new Map<string, Promise<void>>();

  constructor(options: ReplicaStoreOptions) {
    this.options = options;
  }

  /** Keeps verified nodes (oldest first) of `member` in `ring`, and moves its head forward. */
  async storeVerified(ring: string, member: string, nodes: EncodedLogNode[]): Promise<ReplicaHead | null> {
    for (const node of nodes) {
      if (!(await this.options.blockstore.has(node.cid))) await this.options.blockstore.put(node.cid, node.bytes);
      await this.options.pin?.(node.cid);
    }
    const newest = nodes[nodes.length - 1];
    if (newest === undefined) return this.head(ring, member);
    return this.advanceHead(ring, member, { cid: newest.cid, seq: newest.node.seq });
  }

  private async advanceHead(ring: string, member: string, candidate: ReplicaHead): Promise<ReplicaHead> {
    const lockKey = headKey(ring, member).toString();
    const previous = this.headLocks.get(lockKey) ?? Promise.resolve();
    let result: ReplicaHead = candidate;
    const next = previous.then(async () => {
      const current = await this.head(ring, member);
      if (current !== null && current.seq >= candidate.seq) {
        result = current;
        return;
      }
      await this.options.datastore.put(headKey(ring, member), new TextEncoder().encode(JSON.stringify({ cid: candidate.cid.toString(), seq: candidate.seq })));
    });
    this.headLocks.set(lockKey, next.catch(() => undefined));
    await next;
    return result;
  }

  /** The newest verified head held for `member` of `ring`, or null. */
  async head(ring: string, member: string): Promise<ReplicaHead | null> {
    const key = headKey(ring, member);
    if (!(await this.options.datastore.has(key))) return null;
    const record = JSON.parse(new TextDecoder().decode(await this.options.datastore.get(key))) as { cid: string; seq: number };
    return { cid: CID.parse(record.cid), seq: record.seq };
  }

  /** Every member of `ring` with a head held here. */
  async heads(ring: string): Promise<Map<string, ReplicaHead>> {
    const heads = new Map<string, ReplicaHead>();
    const prefix = `${HEAD_PREFIX}/${getAddress(ring)}`;
    for await (const { key, value } of this.options.datastore.query({ prefix })) {
      const record = JSON.parse(new TextDecoder().decode(value)) as { cid: string; seq: number };
      heads.set(key.baseNamespace(), { cid: CID.parse(record.cid), seq: record.seq });
    }
    return heads;
  }

  async has(cid: CID): Promise<boolean> {
    return this.options.blockstore.has(cid);
  }

  /** The raw block, exactly as the author signed it. */
  async getBytes(cid: CID): Promise<Uint8Array> {
    if (!(await this.options.blockstore.has(cid))) throw new ReplicaBlockMissingError(`block ${cid.toString()} is not held`);
    return readBlockBytes(this.options.blockstore.get(cid));
  }

  /** A held node, decoded; null when not held (never asks the network). */
  async lookup(cid: CID): Promise<EncodedLogNode | null> {
    if (!(await this.options.blockstore.has(cid))) return null;
    return decodeLogNode(await this.getBytes(cid));
  }

  /**
   * Up to `limit` nodes of `member`'s log, newest first, from its held head (or `from`) back to
   * (excluding) `sinceSeq`.
   */
  async readLog(ring: string, member: string, options: { from?: CID; sinceSeq?: number; limit?: number } = {}): Promise<EncodedLogNode[]> {
    const start = options.from ?? (await this.head(ring, member))?.cid;
    const nodes: EncodedLogNode[] = [];
    let cursor = start;
    while (cursor !== undefined && nodes.length < (options.limit ?? 1_000)) {
      const node = await this.lookup(cursor);
      if (node === null || (options.sinceSeq !== undefined && node.node.seq <= options.sinceSeq)) break;
      nodes.push(node);
      cursor = node.node.prev[0];
    }
    return nodes;
  }
}
