/**
 * Serves bitswap only to the peers allowed to have this node's blocks: a libp2p handler wrapper
 * for the bitswap protocols that resets an inbound stream from any other peer before bitswap reads
 * it. Bitswap sends blocks only for wants it received on inbound streams, so a refused peer learns
 * nothing, while this node still fetches from anyone (its outbound streams are not gated).
 * Installed as a Helia mixin between libp2p and bitswap, so it wraps bitswap's own `handle`. A
 * filter may answer later (a peer not known yet, looked up on chain first): the stream waits.
 */
import type { Libp2p, PeerId } from "@libp2p/interface";

const BITSWAP = "/ipfs/bitswap/";

/** Whether to serve `peer`; a promise when the answer needs a (bounded) look at the chain first. */
export type BitswapPeerFilter = (peer: PeerId) => boolean | Promise<boolean>;

const REFUSED = "bitswap is served to ring and replica ring members only";

export function gateBitswap(libp2p: Pick<Libp2p, "handle">, allowed: BitswapPeerFilter): void {
  const handle = libp2p.handle.bind(libp2p);
  const gated: typeof libp2p.handle = (protocols, handler, options) => {
    const list = Array.isArray(protocols) ? protocols : [protocols];
    if (!list.some((protocol) => protocol.startsWith(BITSWAP))) return handle(protocols, handler, options);
    return handle(
      protocols,
      (stream, connection) => {
        const verdict = allowed(connection.remotePeer);
        if (verdict === true) return handler(stream, connection);
        if (verdict === false) return stream.abort(new Error(REFUSED));
        return verdict.then(
          (ok) => (ok ? handler(stream, connection) : stream.abort(new Error(REFUSED))),
          (error: unknown) => stream.abort(error instanceof Error ? error : new Error(REFUSED)),
        );
      },
      options,
    );
  };
  libp2p.handle = gated;
}
