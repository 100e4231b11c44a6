/**
 * Helia's on-disk blockstore (blockstore-fs, one file per block) with two additions the log needs:
 * a durable put (write to a temporary file, fsync, rename, fsync the directory) so an append survives
 * a crash or power loss before it is announced, and a plain whole-file read.
 */
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { FsBlockstore } from "blockstore-fs";
import { NextToLast, type ShardingStrategy } from "blockstore-fs/sharding";
import type { CID } from "multiformats/cid";

let temporaryCounter = 0;

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class DurableFsBlockstore extends FsBlockstore {
  private readonly sharding: ShardingStrategy;

  constructor(location: string) {
    const sharding = new NextToLast();
    super(location, { shardingStrategy: sharding });
    this.sharding = sharding;
  }

  /** The file that holds `cid`'s block. */
  fileOf(cid: CID): string {
    const { dir, file } = this.sharding.encode(cid);
    return join(this.path, dir, file);
  }

  /** Writes the block and returns once it is on stable storage (file and directory entry fsync'd). */
  async putDurably(cid: CID, bytes: Uint8Array): Promise<void> {
    const file = this.fileOf(cid);
    const directory = dirname(file);
    const created = await mkdir(directory, { recursive: true });
    const temporary = `${file}.${process.pid}.${temporaryCounter++}.tmp`;
    const handle = await open(temporary, "w");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
    await fsyncPath(directory);
    if (created !== undefined) await fsyncPath(dirname(directory));
  }

  /** The block's bytes from disk, or null when it is not held. */
  async readBytes(cid: CID): Promise<Uint8Array | null> {
    try {
      return await readFile(this.fileOf(cid));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  /** Writes the block (not fsync'd: replicated blocks can be fetched again after a power loss). */
  async putBytes(cid: CID, bytes: Uint8Array): Promise<void> {
    await this.put(cid, bytes);
  }
}
