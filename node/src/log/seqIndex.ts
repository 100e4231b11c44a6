/**
 * One author's log as an append-only file of 32-byte sha2-256 digests, record `seq` at offset
 * seq * 32: the head is the last record, any node is found by seq in O(1), and an append is one
 * positional write (fdatasync'd when it must be durable). A torn last record (crash mid-write) is
 * cut off when the file is opened.
 */
import { open, type FileHandle } from "node:fs/promises";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { sha256 } from "multiformats/hashes/sha2";
import * as dagCbor from "@ipld/dag-cbor";

const RECORD = 32;

export class SeqIndex {
  private buffer: Buffer;
  private count: number;

  private constructor(
    private readonly handle: FileHandle,
    contents: Buffer,
  ) {
    this.count = Math.floor(contents.length / RECORD);
    this.buffer = Buffer.alloc(Math.max(RECORD * 1024, contents.length * 2));
    contents.copy(this.buffer, 0, 0, this.count * RECORD);
  }

  static async open(path: string): Promise<SeqIndex> {
    await (await open(path, "a")).close();
    const handle = await open(path, "r+");
    const contents = await handle.readFile();
    const index = new SeqIndex(handle, contents);
    if (contents.length !== index.count * RECORD) await handle.truncate(index.count * RECORD);
    return index;
  }

  /** Number of nodes: the next seq. */
  get length(): number {
    return this.count;
  }

  digestAt(seq: number): Uint8Array | undefined {
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.count) return undefined;
    return this.buffer.subarray(seq * RECORD, (seq + 1) * RECORD);
  }

  cidAt(seq: number): CID | undefined {
    const digest = this.digestAt(seq);
    return digest === undefined ? undefined : CID.createV1(dagCbor.code, Digest.create(sha256.code, Uint8Array.from(digest)));
  }

  /** Appends the CIDs of nodes seq = length, length + 1, ...; with `durable`, returns once fdatasync'd. */
  async append(cids: CID[], durable: boolean): Promise<void> {
    if (cids.length === 0) return;
    const bytes = Buffer.alloc(cids.length * RECORD);
    cids.forEach((cid, i) => {
      if (cid.multihash.digest.length !== RECORD) throw new RangeError("seq index holds 32-byte digests");
      bytes.set(cid.multihash.digest, i * RECORD);
    });
    const offset = this.count * RECORD;
    await this.handle.write(bytes, 0, bytes.length, offset);
    if (durable) await this.handle.datasync();
    this.ensureCapacity(offset + bytes.length);
    bytes.copy(this.buffer, offset);
    this.count += cids.length;
  }

  /** Drops records from `length` on (recovery from a crash that lost their blocks). */
  async truncate(length: number): Promise<void> {
    if (length >= this.count) return;
    await this.handle.truncate(length * RECORD);
    await this.handle.datasync();
    this.count = length;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private ensureCapacity(size: number): void {
    if (size <= this.buffer.length) return;
    const grown = Buffer.alloc(Math.max(size, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.count * RECORD);
    this.buffer = grown;
  }
}
