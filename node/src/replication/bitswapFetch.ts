/**
 * Fetching single blocks by CID over bitswap, always bounded by a timeout (a block nobody has would
 * otherwise be wanted forever), preferring the peer that announced it.
 */
import type { PeerId } from "@libp2p/interface";
import type { CID } from "multiformats/cid";
import type { RingHelia } from "../p2p/createRingHelia.js";
import { BlockFetchTimeoutError } from "./errors.js";

export { BlockFetchTimeoutError };

export interface BlockFetchOptions {
  timeoutMs: number;
  /** Ask this peer first (the announcer). */
  provider?: PeerId;
  /** Or these peers (a client ring's members). */
  providers?: PeerId[];
  signal?: AbortSignal;
}

/** The block's bytes, from the local blockstore or the network. Helia keeps what bitswap fetched. */
export async function fetchBlock(helia: Pick<RingHelia, "blockstore">, cid: CID, options: BlockFetchOptions): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  try {
    const chunks: Uint8Array[] = [];
    const peers = [...(options.provider === undefined ? [] : [options.provider]), ...(options.providers ?? [])];
    const providers = peers.length === 0 ? undefined : peers.map((peer) => peer.toCID());
    for await (const chunk of helia.blockstore.get(cid, { signal, providers })) chunks.push(chunk);
    return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
  } catch (error) {
    if (timeout.aborted) throw new BlockFetchTimeoutError(`block ${cid.toString()} not received within ${options.timeoutMs} ms`);
    throw error;
  }
}
