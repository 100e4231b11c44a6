/**
 * Every member's log as this node holds it: blocks in Helia's blockstore, one seq index per author
 * (see seqIndex.ts) and fork evidence in Helia's datastore. Writes take verified nodes only; the
 * store checks that each batch extends the author's head by one seq at a time. Durable writes (the
 * node's own appends) go first to a write-ahead journal (journal.ts) that is replayed on open.
 */
import { randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Key, type Datastore } from "interface-datastore";
import { TypedEventEmitter } from "main-event";
import mortice, { type Mortice } from "mortice";
import type { CID } from "multiformats/cid";
import { decodeLogNode, type EncodedLogNode } from "../core/logNode.js";
import { checksumAddress } from "../core/secp256k1.js";
import type { LogBlockstore } from "../p2p/blockstore.js";
import { cidOfBytes } from "../core/cid.js";
import { decodeForkEvidence, encodeForkEvidence, type ForkEvidence } from "./forkEvidence.js";
import { LogJournal } from "./journal.js";
import { SeqIndex } from "./seqIndex.js";
import { ensurePrivateDir } from "../config/privateDir.js";
import { rememberEntry } from "../core/bounded.js";

/** On open, journaled blocks this close to the head are re-checked on disk (older ones were synced long ago). */
const JOURNAL_RECHECK = 1024;
/** How many of an author's newest nodes `recentSeqOf` looks at. */
export const RECENT_DEPTH = 256;
/**
 * Nodes kept most recently, decoded, that `readNode` answers without a read: each new node is read
 * by every scanner of the log (message book, job book, membership votes, read keys, the next
 * batch's verification) right after it is kept. Only nodes up to RECENT_NODE_MAX_BYTES are held,
 * so the cache stays under 512 x 16 KiB = 8 MiB.
 */
export const RECENT_NODES = 512;
export const RECENT_NODE_MAX_BYTES = 16 * 1024;

export interface LogHead {
  author: string;
  seq: number;
  cid: CID;
}

export class LogStoreConsistencyError extends Error {
  override name = "LogStoreConsistencyError";
}

/** Nodes of `author`'s log were kept, up to `seq`. */
export type KeptListener = (author: string, seq: number) => void;

export interface KeptDetail {
  author: string;
  /** The author's new head seq. */
  seq: number;
}

export interface LogStoreEvents {
  kept: CustomEvent<KeptDetail>;
  /** Fork evidence against `author` was recorded. */
  fork: CustomEvent<{ author: string; seq: number }>;
}

export class LogStore extends TypedEventEmitter<LogStoreEvents> {
  private readonly indexes = new Map<string, SeqIndex>();
  private readonly journals = new Map<string, LogJournal>();
  /** One write lock per author (FIFO): writes for one author never interleave. Names are global in mortice, hence the store's id. */
  private readonly locks = new Map<string, Mortice>();
  private readonly lockPrefix = `rings-log-store/${randomUUID()}/`;
  /** CID -> the decoded node, for the newest kept nodes (RECENT_NODES). */
  private readonly recent = new Map<string, EncodedLogNode>();

  private constructor(
    readonly blockstore: LogBlockstore,
    readonly datastore: Datastore,
    private readonly logsDir: string,
  ) {
    super();
  }

  /** Opens the store under `dataDir/logs`, loading every author's index and cutting off records whose block is missing. */
  static async open(dataDir: string, blockstore: LogBlockstore, datastore: Datastore): Promise<LogStore> {
    const logsDir = join(dataDir, "logs");
    await ensurePrivateDir(logsDir);
    const store = new LogStore(blockstore, datastore, logsDir);
    for (const file of await readdir(logsDir)) {
      const match = /^(0x[0-9a-fA-F]{40})\.seq$/.exec(file);
      if (match?.[1] === undefined) continue;
      const author = checksumAddress(match[1]);
      const index = await SeqIndex.open(join(logsDir, file));
      store.indexes.set(author, index);
      await store.dropTailWithoutBlocks(index);
    }
    for (const file of await readdir(logsDir)) {
      const match = /^(0x[0-9a-fA-F]{40})\.journal$/.exec(file);
      if (match?.[1] === undefined) continue;
      await store.replayJournal(checksumAddress(match[1]), join(logsDir, file));
    }
    return store;
  }

  /** Authors whose log this node holds any of. */
  authors(): string[] {
    return [...this.indexes.keys()];
  }

  head(author: string): LogHead | null {
    const key = checksumAddress(author);
    const index = this.indexes.get(key);
    if (index === undefined || index.length === 0) return null;
    const cid = index.cidAt(index.length - 1);
    return cid === undefined ? null : { author: key, seq: index.length - 1, cid };
  }

  heads(): LogHead[] {
    return this.authors().map((author) => this.head(author)).filter((head): head is LogHead => head !== null);
  }

  /** Number of nodes held for the author (its next seq). */
  length(author: string): number {
    return this.indexes.get(checksumAddress(author))?.length ?? 0;
  }

  cidAt(author: string, seq: number): CID | undefined {
    return this.indexes.get(checksumAddress(author))?.cidAt(seq);
  }

  /**
   * The seq of `cid` among the author's newest `depth` nodes, from the head back (no read from
   * disk: a head claimed without its seq is nearly always a recent one); undefined when not there.
   */
  recentSeqOf(author: string, cid: CID, depth = RECENT_DEPTH): number | undefined {
    const index = this.indexes.get(checksumAddress(author));
    if (index === undefined) return undefined;
    for (let seq = index.length - 1; seq >= Math.max(0, index.length - depth); seq--) if (index.cidAt(seq)?.equals(cid) === true) return seq;
    return undefined;
  }

  /** Whether `cid` is the author's node at `seq` in this store. */
  holds(author: string, seq: number, cid: CID): boolean {
    const held = this.cidAt(author, seq);
    return held !== undefined && held.equals(cid);
  }

  async readBytes(cid: CID): Promise<Uint8Array | null> {
    return this.blockstore.readBytes(cid);
  }

  async readNode(cid: CID): Promise<EncodedLogNode | null> {
    const cached = this.recent.get(cid.toString());
    if (cached !== undefined) return cached;
    const bytes = await this.readBytes(cid);
    return bytes === null ? null : decodeLogNode(bytes);
  }

  async nodeAt(author: string, seq: number): Promise<EncodedLogNode | null> {
    const cid = this.cidAt(author, seq);
    return cid === undefined ? null : this.readNode(cid);
  }

  /**
   * Appends verified nodes to the author's log. They must continue the head one seq at a time; a
   * leading run of nodes already held (the same CID at the same seq, kept meanwhile by another
   * intake of the same log) is skipped, not refused. With `durable`, every block and the index are
   * on stable storage when this resolves. Resolves with how many nodes were newly kept.
   */
  async append(author: string, given: EncodedLogNode[], durable: boolean): Promise<number> {
    const key = checksumAddress(author);
    const release = await this.lockFor(key).writeLock();
    try {
      const index = await this.indexFor(key);
      let expected = index.length;
      const firstNew = given.findIndex((node) => !this.holds(key, node.node.seq, node.cid));
      const nodes = firstNew === -1 ? [] : given.slice(firstNew);
      if (nodes.length === 0) return 0;
      let parent = expected === 0 ? undefined : index.cidAt(expected - 1);
      for (const node of nodes) {
        if (node.node.author !== key) throw new LogStoreConsistencyError(`node ${node.cid.toString()} is by ${node.node.author}, not ${key}`);
        if (node.node.seq !== expected) throw new LogStoreConsistencyError(`node ${node.cid.toString()} has seq ${node.node.seq}, expected ${expected}`);
        if (parent !== undefined && !(node.node.prev[0]?.equals(parent) ?? false)) {
          throw new LogStoreConsistencyError(`node ${node.cid.toString()} does not link to ${parent.toString()}`);
        }
        parent = node.cid;
        expected++;
      }
      // The journal (when durable) and the blocks are written side by side; the index, which makes
      // the nodes visible, only after both.
      const journal = durable ? await this.journalFor(key) : undefined;
      await Promise.all([journal?.append(nodes.map((node) => node.bytes)), ...nodes.map((node) => this.blockstore.putBytes(node.cid, node.bytes))]);
      await index.append(nodes.map((node) => node.cid), false);
      // Held as decoded from its bytes, what a read from disk would give (a freshly signed node carries its body's own JS values).
      for (const node of nodes) if (node.bytes.length <= RECENT_NODE_MAX_BYTES) rememberEntry(this.recent, node.cid.toString(), await decodeLogNode(node.bytes), RECENT_NODES);
      const last = nodes.at(-1);
      if (last !== undefined) this.safeDispatchEvent("kept", { detail: { author: key, seq: last.node.seq } });
      return nodes.length;
    } finally {
      release();
    }
  }

  /** Calls `listener` with the author and the new head seq whenever nodes are kept; returns the unsubscribe. */
  onKept(listener: KeptListener): () => void {
    const handler = (event: CustomEvent<KeptDetail>) => listener(event.detail.author, event.detail.seq);
    this.addEventListener("kept", handler);
    return () => this.removeEventListener("kept", handler);
  }

  async recordFork(evidence: ForkEvidence): Promise<void> {
    await this.datastore.put(forkKey(evidence.author, evidence.seq), encodeForkEvidence(evidence));
    this.safeDispatchEvent("fork", { detail: { author: evidence.author, seq: evidence.seq } });
  }

  /** Calls `listener` with the author whenever fork evidence against it is recorded; returns the unsubscribe. */
  onFork(listener: (author: string) => void): () => void {
    const handler = (event: CustomEvent<{ author: string; seq: number }>) => listener(event.detail.author);
    this.addEventListener("fork", handler);
    return () => this.removeEventListener("fork", handler);
  }

  async forks(): Promise<ForkEvidence[]> {
    const found: ForkEvidence[] = [];
    for await (const entry of this.datastore.query({ prefix: "/rings/forks" })) found.push(decodeForkEvidence(entry.value));
    return found;
  }

  async hasFork(author: string, seq: number): Promise<boolean> {
    return this.datastore.has(forkKey(author, seq));
  }

  async close(): Promise<void> {
    for (const index of this.indexes.values()) await index.close();
    for (const journal of this.journals.values()) await journal.close();
    this.indexes.clear();
    this.journals.clear();
    for (const lock of this.locks.values()) lock.finalize();
    this.locks.clear();
  }

  private lockFor(author: string): Mortice {
    let lock = this.locks.get(author);
    if (lock === undefined) {
      lock = mortice({ name: this.lockPrefix + author, singleProcess: true });
      this.locks.set(author, lock);
    }
    return lock;
  }

  private async indexFor(author: string): Promise<SeqIndex> {
    let index = this.indexes.get(author);
    if (index === undefined) {
      index = await SeqIndex.open(join(this.logsDir, `${author}.seq`));
      this.indexes.set(author, index);
    }
    return index;
  }

  private async journalFor(author: string): Promise<LogJournal> {
    let journal = this.journals.get(author);
    if (journal === undefined) {
      journal = (await LogJournal.open(join(this.logsDir, `${author}.journal`))).journal;
      this.journals.set(author, journal);
    }
    return journal;
  }

  /** Brings the index and blockstore up to the journal: what was acknowledged is restored after a crash. */
  private async replayJournal(author: string, path: string): Promise<void> {
    const { journal, records } = await LogJournal.open(path);
    this.journals.set(author, journal);
    const index = await this.indexFor(author);
    const missing = [];
    for (let seq = 0; seq < records.length; seq++) {
      const bytes = records[seq] as Uint8Array;
      if (seq < index.length && seq < records.length - JOURNAL_RECHECK) continue;
      const cid = await cidOfBytes(bytes);
      if (seq < index.length) {
        if (!(index.cidAt(seq)?.equals(cid) ?? false)) throw new LogStoreConsistencyError(`${author}'s index and journal differ at seq ${seq}`);
        const onDisk = await this.blockstore.readBytes(cid);
        if (onDisk === null || !(await cidOfBytes(onDisk)).equals(cid)) await this.blockstore.putBytes(cid, bytes);
      } else {
        await this.blockstore.putBytes(cid, bytes);
        missing.push(cid);
      }
    }
    await index.append(missing, true);
  }

  /** A crash (or power loss) can leave index records whose block never reached the disk: cut them off. */
  private async dropTailWithoutBlocks(index: SeqIndex): Promise<void> {
    let length = index.length;
    while (length > 0) {
      const cid = index.cidAt(length - 1);
      if (cid !== undefined && (await this.blockstore.readBytes(cid)) !== null) break;
      length--;
    }
    await index.truncate(length);
  }
}

function forkKey(author: string, seq: number): Key {
  return new Key(`/rings/forks/${checksumAddress(author)}/${String(seq).padStart(20, "0")}`);
}
