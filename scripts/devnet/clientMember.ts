/**
 * A member of the RPC world's client ring that runs a node, in process but real: Helia on disk
 * with libp2p over loopback TCP, the log store, the Replicator on the ring's topic and log-sync,
 * its own log announcing every append as ring-node does (runtime/headFollower.ts), and its node
 * info on chain so replica nodes find and dial it. Its log head is never put on chain here: a
 * replica learns it from announcements (or the test puts it there).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PeerId } from "@libp2p/interface";
import { getAddress, parseEther, type Wallet } from "ethers";
import { ringDomain } from "../../node/src/core/eip712.js";
import { addressOfPeerId, identityFromPrivateKey, peerIdBytes, type RingIdentity } from "../../node/src/identity/identity.js";
import { OwnLog } from "../../node/src/log/ownLog.js";
import { LogStore } from "../../node/src/log/store.js";
import { silentLogger } from "../../node/src/logging.js";
import { createRingHelia, type RingHeliaParts } from "../../node/src/p2p/createRingHelia.js";
import { Replicator } from "../../node/src/replication/replicator.js";
import { Ring__factory } from "../../types/index.js";
import { fund } from "./ringsOnChain.js";
import type { RpcWorld } from "./rpcWorld.js";

export interface ClientMemberNode {
  identity: RingIdentity;
  parts: RingHeliaParts;
  store: LogStore;
  replicator: Replicator;
  ownLog: OwnLog;
  /** Whether appends are announced (on by default, as ring-node does). */
  announcing: boolean;
  stop(): Promise<void>;
}

/** Starts avatar `index` of `world` as a member node that serves log-sync to the world's replica nodes. */
export async function startClientMember(world: RpcWorld, index: number): Promise<ClientMemberNode> {
  const avatar = world.avatars[index] as Wallet;
  const identity = identityFromPrivateKey(avatar.privateKey);
  const dir = await mkdtemp(join(tmpdir(), "rings-client-member-"));
  const parts = await createRingHelia({ dataDir: dir, privateKey: identity.libp2pKey, listen: ["/ip4/127.0.0.1/tcp/0"] });
  const store = await LogStore.open(dir, parts.blockstore, parts.datastore);
  const members = world.avatars.map((wallet) => wallet.address);
  const replicas = new Set(world.replicaIdentities.map((replica) => replica.address));
  const isReplicaPeer = (peer: PeerId) => {
    try {
      return replicas.has(addressOfPeerId(peer));
    } catch {
      return false;
    }
  };
  const domain = ringDomain(world.chainId, world.clientRing);
  const membership = { members: () => members, isMember: (address: string) => members.includes(getAddress(address)) };
  const replicator = new Replicator({ helia: parts.helia, store, self: identity.address, domain, chainId: world.chainId, membership, logger: silentLogger(), fetchTimeoutMs: 10_000, headExchangeMs: 60_000, servesLogSyncTo: isReplicaPeer });
  await replicator.start();
  const ownLog = new OwnLog(store, identity, domain);
  const node: ClientMemberNode = {
    identity,
    parts,
    store,
    replicator,
    ownLog,
    announcing: true,
    async stop() {
      unsubscribe();
      await replicator.stop();
      await parts.helia.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
  const unsubscribe = ownLog.onAppended((nodes, head) => {
    if (node.announcing) void replicator.announce(head, nodes.at(-1)?.cid.equals(head.cid) === true ? nodes.map((appended) => appended.bytes) : []);
  });
  await fund(world.deployer, [identity.address], parseEther("1"));
  const address = parts.helia.libp2p.getMultiaddrs()[0];
  if (address === undefined) throw new Error("the member node has no listen address");
  await (await Ring__factory.connect(world.clientRing, avatar).setNodeInfo(address.toString(), peerIdBytes(parts.helia.libp2p.peerId))).wait();
  return node;
}
