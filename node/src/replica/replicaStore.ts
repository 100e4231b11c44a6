/**
 * What a replica node holds of its client rings: their members' verified log nodes, as the
 * signed dag-cbor blocks (payloads still encrypted with the client ring's read key), in the node's
 * blockstore, plus an index of each member's latest verified head (in memory, journalled to a
 * JSON-lines file). It serves the blocks back as they are; it never sees a payload in the clear.
 */
import type { Blockstore } from "interface-blockstore";
import { getAddress } from "ethers";
import { CID } from "multiformats/cid";
import { decodeLogNode, type EncodedLogNode } from "../core/logNode.js";
import { JsonLinesJournal } from "./jsonLinesJournal.js";

export interface ReplicaHead {
  cid: CID;
  seq: number;
}

export interface ReplicaStoreOptions {
  /** Local blocks only: `get` must not go to the network for a block that is not held. */
  blockstore: Pick<Blockstore, "get" | "put" | "has" | "delete">;
  /** The heads journal (JSON lines); heads live in memory only without it. */
  headsPath?: string;
  /** Optional: pins stored blocks (a window at a time) so garbage collection keeps them. */
  pin?: (cids: readonly CID[]) => Promise<void>;
  /** Optional: takes a pin away (a ring whose registration lapsed is dropped). */
  unpin?: (cid: CID) => Promise<void>;
}

/** Nodes stored and pinned at once by `keep`: a bound on its concurrent blockstore calls, one pin batch each. */
export const KEEP_WINDOW = 64;

/** The most nodes of one member's log unpinned when a ring is dropped (a bound on the work of one drop). */
export const MAX_DROPPED_NODES = 1_000_000;

/** One page of a member's log: nodes newest first, and where the next page starts (null: no more). */
export interface ReplicaLogPage {
  nodes: EncodedLogNode[];
  next: { cid: CID; seq: number } | null;
}

export class ReplicaBlockMissingError extends Error {
  override name = "ReplicaBlockMissingError";
}

interface HeadRecord {
  ring: string;
  member: string;
  cid: string;
  seq: number;
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
  /** ring -> member -> newest verified head. */
  private readonly headsByRing = new Map<string, Map<string, ReplicaHead>>();
  private readonly journal: JsonLinesJournal<HeadRecord> | null;
  private loaded: Promise<void> | null = null;

  constructor(options: ReplicaStoreOptions) {
    this.options = options;
    this.journal = options.headsPath === undefined ? null : new JsonLinesJournal<HeadRecord>(options.headsPath);
  }

  /** Reads the heads journal (once; every method waits for it). */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      if (this.journal === null) return;
      const records = await this.journal.load();
      for (const record of records) this.setHead(record.ring, record.member, { cid: CID.parse(record.cid), seq: record.seq });
      const held = [...this.headsByRing.values()].reduce((total, members) => total + members.size, 0);
      if (records.length > held) await this.journal.compact(this.headRecords());
    })();
    return this.loaded;
  }

  async close(): Promise<void> {
    await this.journal?.close();
  }

  /** Keeps verified nodes (oldest first) of `member` in `ring`, and moves its head forward. */
  async storeVerified(ring: string, member: string, nodes: EncodedLogNode[]): Promise<ReplicaHead | null> {
    await this.keep(nodes);
    const newest = nodes[nodes.length - 1];
    if (newest === undefined) return this.head(ring, member);
    return this.advance(ring, member, { cid: newest.cid, seq: newest.node.seq });
  }

  /**
   * Keeps (and pins) nodes each verified on its own, without moving any head: they are no member's
   * held log until `advance` names a head they lead from (what a follower's walk does over passes).
   */
  async keep(nodes: readonly EncodedLogNode[]): Promise<void> {
    // A window's has/put calls run side by side and its pins go in one batch: one node at a time,
    // awaiting has, put and a Helia pin each, took 2-2.7 ms per node (bench:replica, 0.29x a member).
    const { blockstore, pin } = this.options;
    for (let start = 0; start < nodes.length; start += KEEP_WINDOW) {
      const window = nodes.slice(start, start + KEEP_WINDOW);
      await Promise.all(window.map(async (node) => ((await blockstore.has(node.cid)) ? undefined : blockstore.put(node.cid, node.bytes))));
      await pin?.(window.map((node) => node.cid));
    }
  }

  /** Deletes a block that failed verification (a follower fetched it; it is nobody's held node). */
  async discard(cid: CID): Promise<void> {
    await this.options.blockstore.delete(cid);
  }

  /** Moves `member`'s head in `ring` to `candidate` (kept already, and verified to connect) unless it is not newer. */
  async advance(ring: string, member: string, candidate: ReplicaHead): Promise<ReplicaHead> {
    await this.load();
    const current = await this.head(ring, member);
    if (current !== null && current.seq >= candidate.seq) return current;
    this.setHead(ring, member, candidate);
    await this.journal?.append({ ring: getAddress(ring), member: getAddress(member), cid: candidate.cid.toString(), seq: candidate.seq });
    return candidate;
  }

  /**
   * Forgets `ring` (its registration lapsed): no member's head is held any more, so nothing of it
   * is served, and its nodes are unpinned for garbage collection to take. Returns the nodes unpinned.
   */
  async drop(ring: string): Promise<number> {
    await this.load();
    const key = getAddress(ring);
    const members = this.headsByRing.get(key);
    if (members === undefined) return 0;
    let unpinned = 0;
    for (const member of members.keys()) {
      for (const node of await this.readLog(key, member, { limit: MAX_DROPPED_NODES })) {
        await this.options.unpin?.(node.cid).catch(() => undefined);
        unpinned += 1;
      }
    }
    this.headsByRing.delete(key);
    await this.journal?.compact(this.headRecords());
    return unpinned;
  }

  private setHead(ring: string, member: string, head: ReplicaHead): void {
    const key = getAddress(ring);
    let members = this.headsByRing.get(key);
    if (members === undefined) this.headsByRing.set(key, (members = new Map<string, ReplicaHead>()));
    const current = members.get(getAddress(member));
    if (current === undefined || current.seq < head.seq) members.set(getAddress(member), head);
  }

  private headRecords(): HeadRecord[] {
    return [...this.headsByRing.entries()].flatMap(([ring, members]) => [...members.entries()].map(([member, head]) => ({ ring, member, cid: head.cid.toString(), seq: head.seq })));
  }

  /** The newest verified head held for `member` of `ring`, or null. */
  async head(ring: string, member: string): Promise<ReplicaHead | null> {
    await this.load();
    return this.headsByRing.get(getAddress(ring))?.get(getAddress(member)) ?? null;
  }

  /** Every member of `ring` with a head held here. */
  async heads(ring: string): Promise<Map<string, ReplicaHead>> {
    await this.load();
    return new Map(this.headsByRing.get(getAddress(ring)) ?? []);
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

  /**
   * Like readLog, bounded by bytes as well as by count: nodes of `member` in `ring` (each checked to
   * be theirs, so `from` cannot reach another log's blocks), newest first, until `sinceSeq`, the
   * first node, a block not held, `limit` nodes, or `maxBytes` of node bytes (the first node always
   * counts, so a page always moves on). `next` is where the next page starts when a cap stopped it.
   */
  async readPage(ring: string, member: string, options: { from?: CID; sinceSeq?: number; limit: number; maxBytes: number }): Promise<ReplicaLogPage> {
    const nodes: EncodedLogNode[] = [];
    let cursor = options.from ?? (await this.head(ring, member))?.cid;
    let bytes = 0;
    while (cursor !== undefined) {
      const node = await this.lookup(cursor);
      if (node === null || !sameAddress(node.node.author, member) || !sameAddress(node.node.ring, ring)) break;
      if (options.sinceSeq !== undefined && node.node.seq <= options.sinceSeq) break;
      if (nodes.length >= options.limit || (nodes.length > 0 && bytes + node.bytes.length > options.maxBytes)) return { nodes, next: { cid: cursor, seq: node.node.seq } };
      nodes.push(node);
      bytes += node.bytes.length;
      cursor = node.node.prev[0];
    }
    return { nodes, next: null };
  }
}

function sameAddress(a: string, b: string): boolean {
  try {
    return getAddress(a) === getAddress(b);
  } catch {
    return false;
  }
}
