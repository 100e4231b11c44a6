/**
 * The peers this node has an open connection to. libp2p's `getPeers()` rebuilds every PeerId from
 * its string, which for a secp256k1 key decompresses and validates the curve point on each call;
 * the round and replication loops ask many times a second, so they take the connections' own
 * PeerId objects instead.
 */
import type { Libp2p, PeerId } from "@libp2p/interface";

/** One PeerId per connected peer (a peer with several connections appears once). */
export function connectedPeers(libp2p: Pick<Libp2p, "getConnections">): PeerId[] {
  const peers = new Map<string, PeerId>();
  for (const connection of libp2p.getConnections()) peers.set(connection.remotePeer.toString(), connection.remotePeer);
  return [...peers.values()];
}
