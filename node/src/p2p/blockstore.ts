/**
 * Helia's blockstore on disk: LevelDB (blockstore-level) under `<dataDir>/blocks`, one store for
 * every member's log nodes, served to the ring over bitswap and log-sync. A block put is an append
 * to LevelDB's log, not a file creation per block (which costs 1-5 ms on a busy disk). Durability
 * of own appends comes from the log store's journal (journal.ts), replayed into this store on open.
 */
import { LevelBlockstore } from "blockstore-level";
import type { CID } from "multiformats/cid";

export class LogBlockstore extends LevelBlockstore {
  /** The block's bytes, or null when it is not held. */
  async readBytes(cid: CID): Promise<Uint8Array | null> {
    if (!(await this.has(cid))) return null;
    const chunks: Uint8Array[] = [];
    try {
      for await (const chunk of this.get(cid)) chunks.push(chunk);
    } catch (error) {
      if ((error as Error).name === "NotFoundError") return null;
      throw error;
    }
    return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
  }

  /** Writes the block (not synced: the journal, or the ring, has it again after a power loss). */
  async putBytes(cid: CID, bytes: Uint8Array): Promise<void> {
    await this.put(cid, bytes);
  }
}
