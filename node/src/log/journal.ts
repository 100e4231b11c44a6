/**
 * The write-ahead journal that makes own appends durable with one fdatasync per commit: each
 * record is a node's block bytes, length-prefixed, appended to `logs/<author>.journal` in seq order.
 * Blocks and the seq index are written after it without syncing; on open, the store replays the
 * journal into both, so a crash or power loss never loses an acknowledged (announced) append.
 * A torn last record (crash mid-write) is cut off.
 */
import { open, type FileHandle } from "node:fs/promises";

const HEADER = 4;
const MAX_RECORD = 16 * 1024 * 1024;

export class LogJournal {
  private size: number;

  private constructor(
    private readonly handle: FileHandle,
    size: number,
  ) {
    this.size = size;
  }

  /** Opens (creating) the journal; returns it with every complete record, in order. */
  static async open(path: string): Promise<{ journal: LogJournal; records: Uint8Array[] }> {
    await (await open(path, "a")).close();
    const handle = await open(path, "r+");
    const contents = await handle.readFile();
    const records: Uint8Array[] = [];
    let offset = 0;
    while (offset + HEADER <= contents.length) {
      const length = contents.readUInt32BE(offset);
      if (length === 0 || length > MAX_RECORD || offset + HEADER + length > contents.length) break;
      records.push(contents.subarray(offset + HEADER, offset + HEADER + length));
      offset += HEADER + length;
    }
    if (offset !== contents.length) {
      await handle.truncate(offset);
      await handle.datasync();
    }
    return { journal: new LogJournal(handle, offset), records };
  }

  /** Appends the records and returns once they are on stable storage. */
  async append(records: Uint8Array[]): Promise<void> {
    if (records.length === 0) return;
    const total = records.reduce((sum, record) => sum + HEADER + record.length, 0);
    const buffer = Buffer.alloc(total);
    let offset = 0;
    for (const record of records) {
      if (record.length === 0 || record.length > MAX_RECORD) throw new RangeError(`journal record of ${record.length} bytes`);
      buffer.writeUInt32BE(record.length, offset);
      buffer.set(record, offset + HEADER);
      offset += HEADER + record.length;
    }
    await this.handle.write(buffer, 0, buffer.length, this.size);
    await this.handle.datasync();
    this.size += buffer.length;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
