/**
 * A replica node following a computing ring that registered with its replica ring: three
 * `ring-node` processes with rounds on a `hardhat node` chain, and a replica node (in process, real
 * Helia over loopback, the JSON-RPC service with its follower) that is given no peer address: it
 * finds the ring's members from their node info on chain, dials them and fetches their logs over
 * bitswap, up to the heads the ring's latest round names.
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import { after, before, describe, it } from "mocha";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { generateIdentity } from "../../../node/src/identity/identity.js";
import { verifyBlock } from "../../../node/src/log/verify.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { startReplicaNode, type ReplicaNodeUnderTest } from "../../../scripts/devnet/replicaNode.js";
import { createReplicaRing, fund } from "../../../scripts/devnet/ringsOnChain.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";
import { flushedCut, flushOneJob, registerRing } from "../helpers/replicatedRing.js";

const FEE = parseEther("0.01");

describe("a replica node follows a registered ring's members", function () {
  this.timeout(120_000);
  let world: RoundsRing;
  let replica: ReplicaNodeUnderTest;

  before(async function () {
    world = await startRoundsRing(3, "replica-follow");
    for (let i = 0; i < 3; i++) await world.start(i);
    const { chain, contracts } = world.ring;
    const deployer = chain.account(0);
    const identity = generateIdentity();
    const { ring: replicaRingRing, replicaRing } = await createReplicaRing(contracts.factory, [identity.address], await deployer.getAddress(), FEE);
    await fund(deployer, [identity.address], parseEther("10"));
    const chainId = (await chain.provider.getNetwork()).chainId;
    replica = await startReplicaNode({ identity, provider: chain.provider, chainId, ownRing: replicaRingRing, settings: { forwarder: contracts.forwarder, replicaRing, followIntervalMs: 300 } });
    await registerRing(world, replicaRing, FEE, replica.client);
  });

  after(async function () {
    await replica?.stop();
    await world?.cleanup();
  });

  it("within a few seconds after a flush, the replica holds every member's log up to the head the round names, each node verified", async function () {
    await flushOneJob(world, 1);
    const cut = await flushedCut(world);
    expect(cut.map((head) => head.author).sort()).to.deep.equal(world.members.map((member) => member.address).sort());

    const store = replica.rpc.replicaStore;
    await waitFor(
      "the replica to hold every member's flushed head",
      async () => {
        for (const head of cut) if (((await store.head(world.ring.ring, head.author))?.seq ?? -1) < head.seq) return undefined;
        return true;
      },
      10_000,
      100,
    );

    const domain = ringDomain((await world.ring.chain.provider.getNetwork()).chainId, world.ring.ring);
    const members = new Set(world.members.map((member) => member.address));
    for (const head of cut) {
      const log = await store.readLog(world.ring.ring, head.author);
      const atFlush = log.filter((node) => node.node.seq <= head.seq);
      expect(atFlush.map((node) => node.node.seq)).to.deep.equal(Array.from({ length: head.seq + 1 }, (_, i) => head.seq - i));
      expect(atFlush[0]?.cid.toString()).to.equal(head.cid);
      for (const node of atFlush) expect((await verifyBlock({ domain, isMember: (address) => members.has(address) }, node)).node.author).to.equal(head.author);
    }
  });

  it("the replica's follow progress names, per client ring and member, the head held and that it is caught up with the chain", async function () {
    const cut = await flushedCut(world);
    const progress = await waitFor(
      "the follower's progress to show every member caught up",
      () => {
        const rows = replica.rpc.follower?.progress() ?? [];
        return cut.every((head) => rows.some((row) => row.member === head.author && row.caughtUp)) ? rows : undefined;
      },
      10_000,
    );
    for (const head of cut) {
      const row = progress.find((entry) => entry.ring === world.ring.ring && entry.member === head.author);
      expect(row?.onChain).to.include(head.cid);
      expect(row?.held?.seq).to.be.at.least(head.seq);
      expect(row?.error).to.equal(null);
    }
  });
});
