/**
 * Helia's pins of log nodes, written a window at a time. `helia.pins.add(cid, { depth: 0 })` does,
 * per CID, a datastore `has`, a block read and codec decode (the walker, even at depth 0), a `get`
 * of the block's pin count that throws NotFound for a new block, and two separate `put`s. A log
 * node is pinned on its own (depth 0: its parent has its own pin), so its pin is two records: the
 * same records Helia writes (helia/src/pins.ts: `/pin/<cid base36>` -> {depth, metadata} and
 * `/pinned-block/<multihash base36>` -> {pinCount, pinnedBy}), read and written here for a whole
 * window in one datastore batch, so `helia.pins.isPinned/ls/rm` and Helia's garbage collection see
 * them exactly as Helia's own. A CID already pinned is left as it is; a block another pin already
 * counts gets this pin added to its count.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { Key, type Datastore } from "interface-datastore";
import { base36 } from "multiformats/bases/base36";
import type { CID } from "multiformats/cid";

interface PinnedBlock {
  pinCount: number;
  pinnedBy: Uint8Array[];
}

const PIN_PREFIX = "/pin/";
const BLOCK_PREFIX = "/pinned-block/";

export function pinKey(cid: CID): Key {
  return new Key(`${PIN_PREFIX}${(cid.version === 0 ? cid.toV1() : cid).toString(base36)}`);
}

export function pinnedBlockKey(cid: CID): Key {
  return new Key(`${BLOCK_PREFIX}${base36.encode(cid.multihash.bytes)}`);
}

const DEPTH_ZERO_PIN = dagCbor.encode({ depth: 0, metadata: {} });

async function getOrNull(datastore: Datastore, key: Key): Promise<Uint8Array | null> {
  if (!(await datastore.has(key))) return null;
  return datastore.get(key);
}

/** Pins each CID (depth 0) that is not pinned yet; returns how many pins it made. The blocks need not be read. */
export async function pinAtDepthZero(datastore: Datastore, cids: readonly CID[]): Promise<number> {
  const fresh = await Promise.all(cids.map(async (cid) => ((await datastore.has(pinKey(cid))) ? null : cid)));
  const toPin = fresh.filter((cid): cid is CID => cid !== null);
  if (toPin.length === 0) return 0;
  const counted = await Promise.all(toPin.map((cid) => getOrNull(datastore, pinnedBlockKey(cid))));
  const batch = datastore.batch();
  const seen = new Set<string>();
  toPin.forEach((cid, i) => {
    const blockKey = pinnedBlockKey(cid);
    if (seen.has(blockKey.toString())) return; // the same CID twice in one window
    seen.add(blockKey.toString());
    const stored = counted[i];
    const block: PinnedBlock = stored === null || stored === undefined ? { pinCount: 0, pinnedBy: [] } : dagCbor.decode<PinnedBlock>(stored);
    block.pinCount += 1;
    block.pinnedBy.push(cid.bytes);
    batch.put(blockKey, dagCbor.encode(block));
    batch.put(pinKey(cid), DEPTH_ZERO_PIN);
  });
  await batch.commit();
  return seen.size;
}
