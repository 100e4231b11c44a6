/** What `ring-node status` shows: own head, every member's head here, elsewhere and on chain, and the lag. */
import { addressOfPeerId } from "../identity/identity.js";
import { cidToBytes32, ZERO_BYTES32 } from "../core/cid.js";
import type { Libp2p } from "@libp2p/interface";
import type { RingChainView } from "../chain/ringChainView.js";
import type { RingIdentity } from "../identity/identity.js";
import type { LogPinner } from "../log/logPinner.js";
import type { LogStore } from "../log/store.js";
import { connectedPeers } from "../p2p/connectedPeers.js";
import type { ReadKeysStatus, RingReadKeys } from "../replica/readKeys.js";
import type { Replicator } from "../replication/replicator.js";
import type { ReplicaFollowStatus, RoundTimingStatus } from "../api/results.js";

export type { ReplicaFollowStatus, RoundTimingStatus } from "../api/results.js";

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
  /** Circuit relay: the members holding a reservation on this node, and the relays this node is reached through. */
  relay: { reservations: string[]; via: string[] };
  /** A replica node: how far it follows each member of each client ring (absent on a node that follows none). */
  replica?: ReplicaFollowStatus[];
  /** The recent rounds as this node saw them (absent on a node that runs no rounds). */
  rounds?: RoundTimingStatus[];
  /** The ring's read-key epochs: the one written with now (its key id), and who holds each as far as the logs show. */
  keys?: ReadKeysStatus;
}

/** Where a service that starts after the node's own parts adds to its status (the replica follower). */
export class StatusSections {
  private replicaSource: (() => ReplicaFollowStatus[]) | null = null;
  private roundsSource: (() => RoundTimingStatus[]) | null = null;

  /** The replica follower's progress, read at every status. */
  setReplica(source: (() => ReplicaFollowStatus[]) | null): void {
    this.replicaSource = source;
  }

  replica(): ReplicaFollowStatus[] | undefined {
    return this.replicaSource?.();
  }

  /** The rounds' recent timings, read at every status. */
  setRounds(source: (() => RoundTimingStatus[]) | null): void {
    this.roundsSource = source;
  }

  rounds(): RoundTimingStatus[] | undefined {
    return this.roundsSource?.();
  }
}

/** What the status is read from. */
export interface StatusComponents {
  signer: Pick<RingIdentity, "address" | "peerId">;
  chain: Pick<RingChainView, "ring" | "chainId" | "round" | "members" | "logNodeHead">;
  logs: Pick<LogStore, "head" | "length" | "cidAt" | "forks">;
  replicator: Pick<Replicator, "remoteHeads" | "rejections">;
  pinner: Pick<LogPinner, "pinnedSeq">;
  streams: Pick<Libp2p, "getConnections" | "getMultiaddrs">;
  /** PeerIds holding a relay reservation here (absent when the node offers no relay). */
  relayReservations?: () => string[];
  /** The ring's read keys (absent: none shown). */
  readKeys?: Pick<RingReadKeys, "status">;
  /** What services add (absent: nothing). */
  statusSections?: Pick<StatusSections, "replica" | "rounds">;
}

/** The relays in this node's own relayed addresses (`…/p2p/<relay>/p2p-circuit/…`). */
export function relaysOf(multiaddrs: readonly string[]): string[] {
  return [...new Set(multiaddrs.flatMap((ma) => /\/p2p\/([^/]+)\/p2p-circuit/.exec(ma)?.[1] ?? []))];
}

export async function collectStatus(components: StatusComponents): Promise<NodeStatus> {
  const { logs: store, chain, replicator, signer: identity, pinner, streams } = components;
  const remote = replicator.remoteHeads();
  const peers = connectedPeers(streams).map((peer) => {
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
    const heldOnChain = chainHead === ZERO_BYTES32 || isHeldDigest(store, address, chainHead);
    const best = Math.max(held?.seq ?? -1, claimed?.seq ?? -1);
    return {
      address,
      self: address === identity.address,
      held,
      claimed,
      onChain: { head: chainHead, held: heldOnChain },
      lag: best - (held?.seq ?? -1),
      pinnedSeq: pinner.pinnedSeq(address),
      connected: address === identity.address || connected.has(address),
    };
  });
  const own = store.head(identity.address);
  const multiaddrs = streams.getMultiaddrs().map((ma) => ma.toString());
  const replica = components.statusSections?.replica();
  const rounds = components.statusSections?.rounds();
  return {
    address: identity.address,
    peerId: identity.peerId.toString(),
    ring: chain.ring,
    chainId: chain.chainId.toString(),
    round: chain.round().toString(),
    multiaddrs,
    own: own === null ? null : { seq: own.seq, cid: own.cid.toString() },
    members,
    peers,
    rejections: replicator.rejections().length,
    forks: (await store.forks()).length,
    relay: { reservations: components.relayReservations?.() ?? [], via: relaysOf(multiaddrs) },
    ...(replica === undefined ? {} : { replica }),
    ...(rounds === undefined ? {} : { rounds }),
    ...(components.readKeys === undefined ? {} : { keys: components.readKeys.status() }),
  };
}

/** Whether the on-chain head digest is one of the member's nodes held here (scans from the head down). */
function isHeldDigest(store: StatusComponents["logs"], member: string, digest: string): boolean {
  const length = store.length(member);
  for (let seq = length - 1; seq >= 0; seq--) {
    const cid = store.cidAt(member, seq);
    if (cid !== undefined && cidToBytes32(cid) === digest.toLowerCase()) return true;
  }
  return false;
}
