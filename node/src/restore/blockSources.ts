/**
 * The other restore sources: the node's own blockstore (blocks a partial earlier restore or the
 * replication left), and bitswap from the peers it is connected to (its ring's members, and the
 * replica nodes of the replica rings its ring is registered with, which hold its log), each fetch
 * bounded by a timeout. A block that does not arrive in time is "not held".
 */
import type { PeerId } from "@libp2p/interface";
import type { CID } from "multiformats/cid";
import type { RingHelia } from "../p2p/createRingHelia.js";
import { fetchBlock } from "../replication/bitswapFetch.js";
import type { RestoreSource } from "./restorePlan.js";

export function localSource(blocks: { readBytes(cid: CID): Promise<Uint8Array | null> }): RestoreSource {
  return { name: "local blockstore", get: (cid) => blocks.readBytes(cid) };
}

export function bitswapSource(helia: Pick<RingHelia, "blockstore">, providers: () => PeerId[], timeoutMs: number): RestoreSource {
  return {
    name: "bitswap",
    async get(cid, signal) {
      const peers = providers();
      if (peers.length === 0) return null;
      try {
        return await fetchBlock(helia, cid, { timeoutMs, providers: peers, signal });
      } catch (error) {
        if (signal.aborted) throw error;
        return null;
      }
    },
  };
}
