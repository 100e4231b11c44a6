/** What `ring-node status` shows: own head, every member's head here, elsewhere and on chain, and the lag. */
import { addressOfPeerId } from "../identity/identity.js";
import { cidToBytes32, ZERO_BYTES32 } from "../core/cid.js";
import type { RingNode } from "./ringNode.js";
import { connectedPeers } from "../p2p/connectedPeers.js";

export interface MemberStatus {
  address: string;
  self: boolean;
  /** The head this node holds (verified). */
  held: { seq: number; cid: string } | null;
  /** The highest head a connected member claims. */
  claimed: { seq: number; cid: string } | null;
  /** The member's log head recorded on chain (bytes32), and whether this node holds it. */
  onChain: { head: string; held: boolean };
  /** Nodes this node is behind the highest known head (0 when caught up). */
  lag: number;
  /** The highest seq of the member's log pinned here (every lower one is pinned too); -1 for none. */
  pinnedSeq: number;
  connected: boolean;
}

export interface NodeStatus {
  address: string;
  peerId: string;
  ring: string;
  chainId: string;
  round: string;
  multiaddrs: string[];
  own: { seq: number; cid: string } | null;
  members: MemberStatus[];
  peers: Array<{ peerId: string; address: string | null }>;
  rejections: number;
  forks: number;
}

export async function collectStatus(node: RingNode): Promise<NodeStatus> {
  const { store, chain, replicator, identity } = node;
  const remote = replicator.remoteHeads();
  const peers = connectedPeers(node.helia.libp2p).map((peer) => {
    let address: string | null;
    try {
      address = addressOfPeerId(peer);
    } catch {
      address = null;
    }
    return { peerId: peer.toString(), address };
  });
  const connected = new Set(peers.map((peer) => peer.address));
  const members = chain.members().map((address): MemberStatus => {
    const head = store.head(address);
    const held = head === null ? null : { seq: head.seq, cid: head.cid.toString() };
    const claim = remote.get(address);
    const claimed = claim === undefined ? null : { seq: claim.seq, cid: claim.cid };
    const chainHead = chain.logNodeHead(address);
    const heldOnChain = chainHead === ZERO_BYTES32 || isHeldDigest(node, address, chainHead);
    const best = Math.max(held?.seq ?? -1, claimed?.seq ?? -1);
    return {
      address,
      self: address === identity.address,
      held,
      claimed,
      onChain: { head: chainHead, held: heldOnChain },
      lag: best - (held?.seq ?? -1),
      pinnedSeq: node.pinner.pinnedSeq(address),
      connected: address === identity.address || connected.has(address),
    };
  });
  const own = store.head(identity.address);
  return {
    address: identity.address,
    peerId: identity.peerId.toString(),
    ring: chain.ring,
    chainId: chain.chainId.toString(),
    round: chain.round().toString(),
    multiaddrs: node.multiaddrs(),
    own: own === null ? null : { seq: own.seq, cid: own.cid.toString() },
    members,
    peers,
    rejections: replicator.rejections().length,
    forks: (await store.forks()).length,
  };
}

/** Whether the on-chain head digest is one of the member's nodes held here (scans from the head down). */
function isHeldDigest(node: RingNode, member: string, digest: string): boolean {
  const length = node.store.length(member);
  for (let seq = length - 1; seq >= 0; seq--) {
    const cid = node.store.cidAt(member, seq);
    if (cid !== undefined && cidToBytes32(cid) === digest.toLowerCase()) return true;
  }
  return false;
}
