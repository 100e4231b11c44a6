/**
 * A replica node as operators run it, following a registered computing ring: three `ring-node`
 * processes with rounds and one `ring-node` process of a replica ring (RING_NODE_REPLICA_RING, no
 * --peer: it finds the members on chain), on a `hardhat node` chain. After a flush, `ring-node
 * status` of the replica shows every member caught up, and GetReplicaLog serves a member its log.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { getBytes, parseEther } from "ethers";
import { after, before, describe, it } from "mocha";
import { decodeLogNode } from "../../../node/src/core/logNode.js";
import { signReplicaLogAuth } from "../../../node/src/client/requests.js";
import { RingsRpcClient } from "../../../node/src/client/ringsRpcClient.js";
import { loadKeystore } from "../../../node/src/identity/keystore.js";
import { JSONRPC_FILE } from "../../../node/src/rpc/jsonRpcService.js";
import type { NodeStatus } from "../../../node/src/status/status.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { initRingNode, RingNodeProcess, TEST_PASSWORD } from "../../../scripts/devnet/ringNodeProcess.js";
import { createReplicaRing, fund } from "../../../scripts/devnet/ringsOnChain.js";
import { FAST_ROUNDS_ENV, startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";
import { flushedCut, flushOneJob, registerRing } from "../helpers/replicatedRing.js";

const FEE = parseEther("0.01");

describe("a ring-node replica process follows a registered ring", function () {
  this.timeout(120_000);
  let world: RoundsRing;
  let replica: RingNodeProcess;
  let client: RingsRpcClient;

  before(async function () {
    world = await startRoundsRing(3, "replica-process");
    for (let i = 0; i < 3; i++) await world.start(i);
    const { chain, contracts, dirs, running } = world.ring;
    const deployer = chain.account(0);
    const dataDir = await dirs.make("replica-0");
    const { address } = await initRingNode(dataDir);
    const { ring: replicaRingRing, replicaRing } = await createReplicaRing(contracts.factory, [address], await deployer.getAddress(), FEE);
    await fund(deployer, [address], parseEther("10"));
    const factory = await contracts.factory.getAddress();
    replica = await RingNodeProcess.start({ dataDir, rpcUrl: chain.url, ring: replicaRingRing, env: { ...FAST_ROUNDS_ENV, RING_NODE_REPLICA_RING: replicaRing, RING_NODE_FACTORY: factory } });
    running.add(replica);
    const url = await waitFor(
      "the replica's jsonrpc.json",
      async () => {
        const info = JSON.parse(await readFile(join(dataDir, JSONRPC_FILE), "utf8")) as { url: string; pid: number };
        return info.pid === replica.child.pid ? info.url : undefined;
      },
      30_000,
    );
    client = new RingsRpcClient(url);
    await registerRing(world, replicaRing, FEE, client);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("shows in its status, within a few seconds of a flush, every member caught up to the head the round names", async function () {
    await flushOneJob(world, 0);
    const cut = await flushedCut(world);

    const rows = await waitFor(
      "the replica's status to show every member caught up",
      async () => {
        const status = await replica.control.status<NodeStatus>();
        const followed = status.replica ?? [];
        return cut.every((head) => followed.some((row) => row.member === head.author && row.caughtUp && (row.held?.seq ?? -1) >= head.seq)) ? followed : undefined;
      },
      15_000,
      200,
    );

    for (const head of cut) expect(rows.find((row) => row.ring === world.ring.ring && row.member === head.author)?.onChain).to.include(head.cid);
  });

  it("serves a member its replicated log with GetReplicaLog, newest first down to seq 0", async function () {
    const cut = await flushedCut(world);
    const head = cut[0] as (typeof cut)[number];
    const memberIndex = world.members.findIndex((member) => member.address === head.author);
    const wallet = (await loadKeystore(world.ring.members[memberIndex]?.dataDir as string, TEST_PASSWORD)).wallet;
    const target = { ring: world.ring.ring, member: head.author };

    const page = await client.getReplicaLog({ ...target, sinceSeq: -1, limit: 1000, auth: await signReplicaLogAuth(wallet, target) });

    const seqs = await Promise.all(page.nodes.map(async (node) => (await decodeLogNode(getBytes(node))).node.seq));
    expect(seqs.at(-1)).to.equal(0);
    expect(seqs).to.include(head.seq);
  });
});
