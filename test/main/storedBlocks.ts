/**
 * A stopped node's blockstore read from disk (LevelDB under `<dataDir>/blocks`, node/src/p2p/
 * blockstore.ts): every block, decoded as a log node where it is one. The store is keyed by
 * multihash, so the CIDs it lists are all raw (0x55): the codec is unknown and every block is tried.
 */
import path from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { decodeLogNode, type EncodedLogNode } from "../../node/src/core/logNode.js";
import { LogBlockstore } from "../../node/src/p2p/blockstore.js";

export interface StoredBlocks {
  logNodes: EncodedLogNode[];
  /** Blocks that are no log node: CID (raw, as listed) and size. */
  other: { cid: string; bytes: number; value: unknown }[];
}

/** A block that is no log node, decoded as dag-cbor where it is (undefined otherwise). */
function decoded(block: Uint8Array): unknown {
  try {
    return dagCbor.decode(block);
  } catch {
    return undefined;
  }
}

/** Every block of the blockstore in `dataDir` (the node must be stopped: LevelDB is locked while it runs). */
export async function storedBlocks(dataDir: string): Promise<StoredBlocks> {
  const store = new LogBlockstore(path.join(dataDir, "blocks"));
  await store.open();
  const out: StoredBlocks = { logNodes: [], other: [] };
  try {
    for await (const { cid, bytes } of store.getAll()) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of bytes) chunks.push(chunk);
      const block = chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
      const node = await decodeLogNode(block).catch(() => null);
      if (node === null) out.other.push({ cid: cid.toString(), bytes: block.length, value: decoded(block) });
      else out.logNodes.push(node);
    }
  } finally {
    await store.close();
  }
  return out;
}
