/**
 * The parts of a running member node, as the composition root (memberNode.ts) hands them to its
 * services. A service never receives this whole object by type: it declares the narrow components
 * it needs (`Pick<>`s of the real types, js-libp2p's `(components) => service`) and the root passes
 * this object, which satisfies every such declaration structurally.
 */
import type { Libp2p } from "@libp2p/interface";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import type { NodeConfig } from "../config/config.js";
import type { RingIdentity } from "../identity/identity.js";
import type { LogPinner } from "../log/logPinner.js";
import type { OwnLog } from "../log/ownLog.js";
import type { LogStore } from "../log/store.js";
import type { LogBlockstore } from "../p2p/blockstore.js";
import type { BitswapPeers } from "../p2p/bitswapPeers.js";
import type { RingHelia } from "../p2p/createRingHelia.js";
import type { MembershipVotes } from "../membership/membershipVotes.js";
import type { RingMessages } from "../messages/ringMessages.js";
import type { RingReadKeys } from "../replica/readKeys.js";
import type { Replicator } from "../replication/replicator.js";
import type { NodeStatus, StatusSections } from "../status/status.js";

export interface MemberComponents {
  /** The node's resolved settings (one schema: config/config.ts). */
  config: NodeConfig;
  /** The node's logger; services make a child with their `component` name. */
  logger: Logger;
  /** The avatar key: Ethereum address, wallet, PeerId. */
  signer: RingIdentity;
  /** The chain view of the ring: members, heads, rounds, events. */
  chain: RingChainView;
  /** libp2p: protocol handlers, connections, dials. */
  streams: Libp2p;
  /** Helia on the same libp2p (bitswap block fetches, pins). */
  helia: RingHelia;
  /** The blockstore every log node and every computed block lives in. */
  blocks: LogBlockstore;
  /** Every member's verified log held here (the reading side). */
  logs: LogStore;
  /** This member's own log: the one writer of it. */
  ownLog: OwnLog;
  /** The ring's read keys by epoch: seals what the rounds and messages write, opens what they read. */
  readKeys: RingReadKeys;
  /** Replication of the other members' logs (claims, fetches, refusals, ingest). */
  replicator: Replicator;
  /** Pins every kept log node in Helia. */
  pinner: LogPinner;
  /** Membership changes by the members' vote: proposals and signatures found in the logs. */
  membership: MembershipVotes;
  /** The ring's messages in the agreed order, and their JSON-RPC methods. */
  messages: RingMessages;
  /** What `ring-node status` shows, collected now. */
  status(): Promise<NodeStatus>;
  /** Where services add to the status (the replica follower's progress). */
  statusSections: StatusSections;
  /** Whom bitswap serves; a service adds peers (a replica node: its client rings' members). */
  bitswapPeers: BitswapPeers;
}
