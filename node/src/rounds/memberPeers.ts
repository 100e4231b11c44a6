/** Which connected peers are ring members (by the address their avatar key stands for). */
import type { Libp2p, PeerId } from "@libp2p/interface";
import type { RingChainView } from "../chain/ringChainView.js";
import { addressOfPeerId } from "../identity/identity.js";
import { connectedPeers } from "../p2p/connectedPeers.js";

export interface MemberPeersComponents {
  chain: Pick<RingChainView, "isMember">;
  streams: Pick<Libp2p, "getConnections">;
}

/** Connected members other than `self`, by address. */
export function memberPeers(components: MemberPeersComponents, self: string): Map<string, PeerId> {
  const peers = new Map<string, PeerId>();
  for (const peer of connectedPeers(components.streams)) {
    try {
      const address = addressOfPeerId(peer);
      if (components.chain.isMember(address) && address !== self) peers.set(address, peer);
    } catch {
      /* not an avatar key */
    }
  }
  return peers;
}

/** Whether `peer`'s key is a member's avatar key. */
export function isMemberPeer(chain: Pick<RingChainView, "isMember">, peer: PeerId): boolean {
  try {
    return chain.isMember(addressOfPeerId(peer));
  } catch {
    return false;
  }
}
