/**
 * Where the compute layer reads code and input blocks from. A `BlockSource` is anything that can
 * return a block's bytes by CID within an AbortSignal: the node's Helia blockstore (through
 * `blockSourceFromBlockstore`, which also accepts Helia 7's chunked `get`), or `MemoryBlocks` for the
 * single-process reference runner and tests. `getVerifiedBlock` checks the bytes against the CID.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { JobInputError } from "./errors.js";

export interface BlockSource {
  get(cid: CID, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

type Chunks = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** What a Helia 7 blockstore's `get` looks like (bytes, or a generator of chunks). */
export interface ChunkedBlockstore {
  get(cid: CID, options?: { signal?: AbortSignal }): Chunks | Promise<Chunks>;
}

export function blockSourceFromBlockstore(blockstore: ChunkedBlockstore): BlockSource {
  return {
    async get(cid, options) {
      const result = await blockstore.get(cid, options);
      if (result instanceof Uint8Array) return result;
      const chunks: Uint8Array[] = [];
      for await (const chunk of result) chunks.push(chunk);
      return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
    },
  };
}

/** Blocks held in memory, keyed by CID. */
export class MemoryBlocks implements BlockSource {
  private readonly blocks = new Map<string, Uint8Array>();

  /** Stores dag-cbor bytes (or raw bytes with `codec: "raw"`) and returns their CID. */
  async put(bytes: Uint8Array, codec: "dag-cbor" | "raw" = "dag-cbor"): Promise<CID> {
    const cid = CID.createV1(codec === "raw" ? raw.code : dagCbor.code, await sha256.digest(bytes));
    this.blocks.set(cid.toString(), bytes);
    return cid;
  }

  /** Stores blocks that already carry their CID (e.g. from encodeJobSpec / encodeData). */
  add(...blocks: { cid: CID; bytes: Uint8Array }[]): void {
    for (const block of blocks) this.blocks.set(block.cid.toString(), block.bytes);
  }

  has(cid: CID): boolean {
    return this.blocks.has(cid.toString());
  }

  get(cid: CID, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    options?.signal?.throwIfAborted();
    const bytes = this.blocks.get(cid.toString());
    if (bytes === undefined) return Promise.reject(new JobInputError(`block ${cid.toString()} is not held`));
    return Promise.resolve(bytes);
  }
}

/** Fetches a block and checks that its bytes hash to its CID. */
export async function getVerifiedBlock(source: BlockSource, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await source.get(cid, { signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new JobInputError(`block ${cid.toString()} could not be read: ${(error as Error).message}`);
  }
  if (cid.multihash.code !== sha256.code) throw new JobInputError(`block ${cid.toString()} is not sha2-256 addressed`);
  const digest = await sha256.digest(bytes);
  if (!Buffer.from(digest.digest).equals(Buffer.from(cid.multihash.digest))) {
    throw new JobInputError(`block ${cid.toString()}: bytes do not match the CID`);
  }
  return bytes;
}
