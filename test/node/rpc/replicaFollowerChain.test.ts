/**
 * A replica node following a client ring's heads on a real chain (Hardhat) and fetching over real
 * Helia nodes on loopback, when a member registers a garbage head: the follower drops the bad
 * block where it meets it and replicates the member's next genuine head. The passes are run by the
 * test (the node's own timer is stopped) so each one is seen.
 */
import { expect } from "chai";
import { getBytes, parseEther, Wallet } from "ethers";
import { cidToBytes32 } from "../../../node/src/core/cid.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { signLogNodeWithKey, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import type { AvatarLog } from "../../../node/src/client/avatarLog.js";
import { buildFlushToRing, nextForwarderNonce, signReplicaLogAuth } from "../../../node/src/client/requests.js";
import { Ring__factory } from "../../../types/index.js";
import { buildRpcWorld, type RpcWorld } from "../../../scripts/devnet/rpcWorld.js";
import type { ReplicaNodeUnderTest } from "../../../scripts/devnet/replicaNode.js";

describe("a replica node following on-chain heads", function () {
  this.timeout(120_000);
  let world: RpcWorld;
  let nodeA: ReplicaNodeUnderTest;
  let nodeB: ReplicaNodeUnderTest;

  before(async function () {
    world = await buildRpcWorld({ avatars: 2, replicaNodes: 2, register: true });
    nodeA = world.replicaNodes[0] as ReplicaNodeUnderTest;
    nodeB = world.replicaNodes[1] as ReplicaNodeUnderTest;
    await nodeB.rpc.follower?.stop();
    await nodeB.helia.libp2p.dial(nodeA.helia.libp2p.getMultiaddrs()[0] as Parameters<typeof nodeB.helia.libp2p.dial>[0]);
  });

  after(async function () {
    await world?.stop();
  });

  /** Flushes the avatar's pending nodes through node A (on chain: the last one is its head). */
  async function flush(avatar: Wallet, log: AvatarLog): Promise<void> {
    const request = await buildFlushToRing({
      signer: avatar,
      ring: world.clientRing,
      replicaKey: world.keys.replicaKey,
      forwarder: world.forwarder,
      logNodes: log.pending(),
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
    });
    expect((await nodeA.client.flushToRing(request)).state).to.equal("relayed");
    log.markFlushed(log.currentHead()?.cid as NonNullable<ReturnType<AvatarLog["currentHead"]>>["cid"]);
  }

  /** The member sets its own head on chain (as any member may, with `Ring.updateLogHead`). */
  async function setHead(avatar: Wallet, node: EncodedLogNode): Promise<void> {
    await (await world.deployer.sendTransaction({ to: avatar.address, value: parseEther("1") })).wait();
    await (await Ring__factory.connect(world.clientRing, avatar).updateLogHead(cidToBytes32(node.cid))).wait();
  }

  /** One pass of node B's follower over the avatar. */
  const pass = (avatar: Wallet) => nodeB.rpc.follower?.syncMember(world.clientRing, avatar.address, AbortSignal.timeout(30_000)) ?? Promise.resolve(null);

  it("a registered garbage head does not wedge the follower: the next genuine head is replicated", async function () {
    const avatar = world.avatars[1] as Wallet;
    const log = world.avatarLog(1);
    await log.append({ text: "first" });
    await flush(avatar, log);
    await pass(avatar);
    // The member's next node, served by node A but not flushed, and a garbage head on top of it.
    const next = await log.append({ text: "second" });
    const garbage = await signLogNodeWithKey(
      { v: 1, ring: world.clientRing, author: avatar.address, seq: next.node.seq + 1, prev: [next.cid], payload: { garbage: true } },
      getBytes(Wallet.createRandom().privateKey),
      ringDomain(world.chainId, world.clientRing),
    );
    for (const node of [next, garbage]) await nodeA.helia.blockstore.put(node.cid, node.bytes);
    await setHead(avatar, garbage);
    const refused = await pass(avatar).then(
      () => null,
      (error: unknown) => error,
    );

    await setHead(avatar, next);
    await pass(avatar);

    expect((await nodeB.rpc.replicaStore.head(world.clientRing, avatar.address))?.cid.equals(next.cid)).to.equal(true);
    expect((refused as Error | null)?.name).to.equal("WrongSignerError");
    expect(await nodeB.rpc.replicaStore.has(garbage.cid)).to.equal(false);
    expect((await nodeB.client.getReplicaLog({ ring: world.clientRing, member: avatar.address, auth: await signReplicaLogAuth(avatar, { ring: world.clientRing, member: avatar.address }) })).nodes).to.have.length(2);
  });
});
