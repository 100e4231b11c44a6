/**
 * The sides of `npm run bench:replica`, each built from the node's real modules as ring-node builds
 * them (Helia 7 on disk, libp2p over loopback TCP): a member with its log store, its Replicator and
 * its pinner (as in bench:log), and the restore of a member's own log from replica nodes with
 * GetReplicaLog (restore/: the walk verifying every node, then one durable append).
 */
import { join } from "node:path";
import type { PeerId } from "@libp2p/interface";
import { getAddress } from "ethers";
import type { CID } from "multiformats/cid";
import type { Membership } from "../../node/src/chain/membership.js";
import { RingsRpcClient } from "../../node/src/client/ringsRpcClient.js";
import type { ringDomain } from "../../node/src/core/eip712.js";
import type { RingIdentity } from "../../node/src/identity/identity.js";
import { LogPinner } from "../../node/src/log/logPinner.js";
import { LogStore } from "../../node/src/log/store.js";
import { silentLogger } from "../../node/src/logging.js";
import { createRingHelia, type RingHeliaParts } from "../../node/src/p2p/createRingHelia.js";
import { Replicator } from "../../node/src/replication/replicator.js";
import { planRestore } from "../../node/src/restore/restorePlan.js";
import { ReplicaLogSource } from "../../node/src/restore/replicaLogSource.js";

/** The client ring's members as the chain lists them (fixed for the run). */
export class FixedMembers implements Membership {
  constructor(private readonly list: string[]) {}
  members(): readonly string[] {
    return this.list;
  }
  isMember(address: string): boolean {
    return this.list.includes(getAddress(address));
  }
}

export interface MemberSide {
  identity: RingIdentity;
  parts: RingHeliaParts;
  store: LogStore;
  replicator: Replicator;
  pinner: LogPinner;
  stop(): Promise<void>;
}

/**
 * A member as ring-node runs it; `servesLogSyncTo` as ring-node sets it from the chain (the replica
 * ring's nodes, memberNode.ts: the peers its bitswap serves).
 */
export async function memberSide(dir: string, identity: RingIdentity, membership: Membership, domain: ReturnType<typeof ringDomain>, chainId: bigint, servesLogSyncTo?: (peer: PeerId) => boolean): Promise<MemberSide> {
  const parts = await createRingHelia({ dataDir: dir, privateKey: identity.libp2pKey, listen: ["/ip4/127.0.0.1/tcp/0"] });
  const store = await LogStore.open(dir, parts.blockstore, parts.datastore);
  const replicator = new Replicator({ helia: parts.helia, store, self: identity.address, domain, chainId, membership, logger: silentLogger(), fetchTimeoutMs: 30_000, headExchangeMs: 60_000, ...(servesLogSyncTo === undefined ? {} : { servesLogSyncTo }) });
  await replicator.start();
  // As in ring-node: every node kept is pinned in the background.
  const pinner = new LogPinner(parts.helia, store, silentLogger());
  pinner.start();
  return {
    identity,
    parts,
    store,
    replicator,
    pinner,
    async stop() {
      await pinner.stop();
      await replicator.stop();
      await parts.helia.stop();
      await store.close();
    },
  };
}

/** Seconds until `reader` (a fresh member) has fetched, verified, kept and pinned `writer`'s whole log of `count` nodes. */
export async function memberCatchUpSeconds(writer: MemberSide, reader: MemberSide, count: number): Promise<number> {
  const address = writer.parts.helia.libp2p.getMultiaddrs()[0];
  if (address === undefined) throw new Error("the writer has no listen address");
  const author = writer.identity.address;
  const start = performance.now();
  await reader.parts.helia.libp2p.dial(address);
  while (reader.pinner.pinnedSeq(author) < count - 1) await new Promise((resolve) => setTimeout(resolve, 10));
  const seconds = (performance.now() - start) / 1000;
  const expected = writer.store.head(author)?.cid;
  if (expected === undefined || reader.store.head(author)?.cid.equals(expected) !== true) throw new Error("the reader's head differs from the writer's");
  if (reader.replicator.rejections().length > 0) throw new Error(`refusals during the benchmark: ${JSON.stringify(reader.replicator.rejections())}`);
  return seconds;
}

export interface RestoreInput {
  dir: string;
  identity: RingIdentity;
  ring: string;
  domain: ReturnType<typeof ringDomain>;
  head: CID;
  /** The replica nodes' JSON-RPC URLs. */
  replicas: readonly string[];
  count: number;
}

/**
 * Seconds a member whose data directory is gone takes to restore its own log of `count` nodes from
 * the replica nodes (GetReplicaLog pages, each node verified by the walk) and append it durably to
 * a fresh store: what `ring-node start --restore-from` does before its first append.
 */
export async function restoreSeconds(input: RestoreInput): Promise<{ seconds: number; bySource: Record<string, number> }> {
  const parts = await createRingHelia({ dataDir: input.dir, privateKey: input.identity.libp2pKey, listen: [] });
  const store = await LogStore.open(join(input.dir), parts.blockstore, parts.datastore);
  try {
    const self = input.identity.address;
    const start = performance.now();
    const sources = input.replicas.map(
      (url) => new ReplicaLogSource({ name: url, client: new RingsRpcClient(url, { timeoutMs: 60_000 }), ring: input.ring, member: self, signer: input.identity.wallet, sinceSeq: -1 }),
    );
    const plan = await planRestore({
      author: self,
      targets: [input.head],
      held: { length: 0, holds: () => false },
      sources,
      context: { domain: input.domain, isMember: (address) => address === self },
      maxNodes: input.count + 1,
      signal: AbortSignal.timeout(10 * 60_000),
    });
    if (plan.kind !== "restore" || plan.nodes.length !== input.count) throw new Error(`the restore found ${plan.kind === "restore" ? plan.nodes.length : 0} of ${input.count} nodes`);
    await store.append(self, plan.nodes, true);
    const seconds = (performance.now() - start) / 1000;
    if (!store.head(self)?.cid.equals(input.head)) throw new Error("the restored head is not the on-chain head");
    return { seconds, bySource: plan.bySource };
  } finally {
    await parts.helia.stop();
    await store.close();
  }
}
