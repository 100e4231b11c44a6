/**
 * The status of every FlushToRing this node accepted, by id (the mtx's EIP-712 digest), so a
 * client can ask again later (`GetFlushStatus`) and a restarted node finishes what it accepted:
 * each new state is appended to a JSON-lines journal in the data directory (group-committed)
 * before the client is answered; at start the journal is compacted to one line per flush.
 */
import type { ForwardRequestJson } from "../api/requests.js";
import type { FlushToRingResult } from "../api/results.js";
import { JsonLinesJournal } from "../replica/jsonLinesJournal.js";

/** What is kept of one accepted flush: its answer (FlushToRingResult) and what a restart needs to finish it. */
export interface FlushRecord extends FlushToRingResult {
  avatar: string;
  ring: string;
  mtx: ForwardRequestJson;
  mtxSig: string;
  acceptedAt: number;
  updatedAt: number;
}

export class FlushStatusStore {
  private readonly records = new Map<string, FlushRecord>();
  /** Ids between the replay check and the `received` append: a concurrent duplicate is refused. */
  private readonly claimed = new Set<string>();
  /** Nonces of each avatar's flushes received and not yet relayed. */
  private readonly pendingByAvatar = new Map<string, Set<string>>();
  private readonly journal: JsonLinesJournal<FlushRecord> | null;

  /** Without `path` the statuses live in memory only. */
  constructor(path?: string) {
    this.journal = path === undefined ? null : new JsonLinesJournal<FlushRecord>(path);
  }

  async load(): Promise<FlushRecord[]> {
    if (this.journal === null) return [];
    const lines = await this.journal.load();
    for (const record of lines) {
      this.records.set(record.id, record);
      this.trackPending(record);
    }
    if (lines.length > this.records.size) await this.journal.compact([...this.records.values()]);
    return [...this.records.values()];
  }

  async close(): Promise<void> {
    await this.journal?.close();
  }

  /** Reserves `id`; false when it is known or reserved already (a replay). */
  claim(id: string): boolean {
    if (this.records.has(id) || this.claimed.has(id)) return false;
    this.claimed.add(id);
    return true;
  }

  release(id: string): void {
    this.claimed.delete(id);
  }

  get(id: string): FlushRecord | undefined {
    return this.records.get(id);
  }

  /** Records (and persists) a new state of a flush. */
  async save(record: FlushRecord): Promise<void> {
    record.updatedAt = Date.now();
    this.records.set(record.id, record);
    this.claimed.delete(record.id);
    this.trackPending(record);
    await this.journal?.append(record);
  }

  /** Flushes accepted but not yet relayed (e.g. the node stopped in between). */
  unfinished(): FlushRecord[] {
    return [...this.records.values()].filter((record) => record.state === "received");
  }

  /** How many of `avatar`'s flushes wait for their relay: the next mtx must use the nonce after them. */
  pendingCount(avatar: string): number {
    return this.pendingByAvatar.get(avatar)?.size ?? 0;
  }

  private trackPending(record: FlushRecord): void {
    let nonces = this.pendingByAvatar.get(record.avatar);
    if (record.state === "received") {
      if (nonces === undefined) this.pendingByAvatar.set(record.avatar, (nonces = new Set()));
      nonces.add(record.mtx.nonce);
    } else if (nonces !== undefined) {
      nonces.delete(record.mtx.nonce);
      if (nonces.size === 0) this.pendingByAvatar.delete(record.avatar);
    }
  }
}
