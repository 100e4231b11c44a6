/**
 * A stopped node's blockstore read from disk (LevelDB under `<dataDir>/blocks`, node/src/p2p/
 * blockstore.ts): every block, the dag-cbor ones decoded as log nodes where they are one.
 */
import path from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { decodeLogNode, type EncodedLogNode } from "../../node/src/core/logNode.js";
import { LogBlockstore } from "../../node/src/p2p/blockstore.js";

export interface StoredBlocks {
  logNodes: EncodedLogNode[];
  /** Blocks that are no log node: CID and codec. */
  other: { cid: string; codec: number }[];
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
      const node = cid.code === dagCbor.code ? await decodeLogNode(block).catch(() => null) : null;
      if (node === null) out.other.push({ cid: cid.toString(), codec: cid.code });
      else out.logNodes.push(node);
    }
  } finally {
    await store.close();
  }
  return out;
}
