/**
 * Restore from the replica ring, with real processes on a `hardhat node` chain: a computing ring of
 * four `ring-node` processes with rounds, registered with a replica ring whose one `ring-node`
 * replica follows it. A member whose data directory is gone but for its keystore restores its own
 * log from the replica (GetReplicaLog at the URL the replica published on its ReplicaRing) with its
 * ring peers down, continues at the on-chain seq + 1, and the ring finalises the next round; then
 * all four do (with --restore-from). With no source left
 * (replica and peers down) `ring-node start` refuses with exit code 3 and appends nothing. A member
 * whose peers are up restores from them, up to the head they hold (beyond the on-chain one). Once
 * the registration's period has run out (evm_increaseTime) the replica stops following the ring.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { parseEther } from "ethers";
import { after, before, describe, it } from "mocha";
import { RingsRpcClient } from "../../../node/src/client/ringsRpcClient.js";
import { ReplicaRing__factory } from "../../../types/index.js";
import { KEYSTORE_FILE } from "../../../node/src/identity/keystore.js";
import { REFUSED_TO_FORK_EXIT_CODE } from "../../../node/src/restore/errors.js";
import { JSONRPC_FILE } from "../../../node/src/rpc/jsonRpcService.js";
import type { NodeStatus } from "../../../node/src/status/status.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { initRingNode, nodeEnv, RING_NODE_BIN, RingNodeProcess } from "../../../scripts/devnet/ringNodeProcess.js";
import { createReplicaRing, fund, ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { FAST_ROUNDS_ENV, startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";
import { flushedCut, flushOneJob, registerRing, type FlushedHead } from "../helpers/replicatedRing.js";

const FEE = parseEther("0.01");
const MEMBERS = 4;

/** Everything in `dataDir` but the keystore goes (a lost disk, the key kept). */
async function loseDataDir(dataDir: string): Promise<void> {
  for (const name of await readdir(dataDir)) if (name !== KEYSTORE_FILE) await rm(join(dataDir, name), { recursive: true, force: true });
}

describe("a member that lost its data directory restores its own log from the replica ring", function () {
  this.timeout(300_000);
  let world: RoundsRing;
  let replica: RingNodeProcess;
  let replicaUrl: string;
  let replicaRing: string;

  const dataDirOf = (index: number) => world.ring.members[index]?.dataDir as string;
  const restoreEnv = () => ({ RING_NODE_RESTORE_FROM: replicaUrl });

  /**
   * Waits until the replica holds every member's log up to the round flushed last and has read that
   * round's ring log node (its pass followed the heads it names); returns that cut.
   */
  async function replicaCaughtUp(): Promise<FlushedHead[]> {
    const cut = await flushedCut(world);
    await waitFor(
      "the replica to hold every member's log to the flushed cut",
      async () => {
        const rows = (await replica.control.status<NodeStatus>()).replica ?? [];
        return cut.every((head) => rows.some((row) => row.member === head.author && (row.held?.seq ?? -1) >= head.seq && row.onChain.includes(head.cid))) ? true : undefined;
      },
      30_000,
      200,
    );
    return cut;
  }

  const ringNodeHead = () => ringAt(world.ring.ring, world.ring.chain.account(0)).ringNodeHead();

  /**
   * Stops the ring once the replica has caught up with its last round: two members go first (no
   * quorum of 3 is left, so no later round), the replica catches up with the round then on chain
   * from the two still running (again if a flush already sent landed meanwhile), then those two go.
   * Without this a round flushed just before the kill is one whose ring log node no source holds.
   */
  async function killMembersCaughtUp(): Promise<FlushedHead[]> {
    await world.kill(0);
    await world.kill(1);
    let cut: FlushedHead[];
    let head: string;
    do {
      head = await ringNodeHead();
      cut = await replicaCaughtUp();
    } while ((await ringNodeHead()) !== head);
    await killMembers();
    return cut;
  }

  async function killMembers(): Promise<void> {
    for (let i = 0; i < MEMBERS; i++) await world.kill(i);
  }

  before(async function () {
    world = await startRoundsRing(MEMBERS, "restore");
    for (let i = 0; i < MEMBERS; i++) await world.start(i);
    const { chain, contracts, dirs, running } = world.ring;
    const deployer = chain.account(0);
    const dataDir = await dirs.make("replica-0");
    const { address } = await initRingNode(dataDir);
    let replicaRingRing: string;
    ({ ring: replicaRingRing, replicaRing } = await createReplicaRing(contracts.factory, [address], await deployer.getAddress(), FEE));
    await fund(deployer, [address], parseEther("10"));
    replica = await RingNodeProcess.start({ dataDir, rpcUrl: chain.url, ring: replicaRingRing, env: { ...FAST_ROUNDS_ENV, RING_NODE_REPLICA_RING: replicaRing, RING_NODE_FACTORY: await contracts.factory.getAddress() } });
    running.add(replica);
    replicaUrl = await waitFor(
      "the replica's jsonrpc.json",
      async () => {
        const info = JSON.parse(await readFile(join(dataDir, JSONRPC_FILE), "utf8")) as { url: string; pid: number };
        return info.pid === replica.child.pid ? info.url : undefined;
      },
      30_000,
    );
    await registerRing(world, replicaRing, FEE, new RingsRpcClient(replicaUrl));
    await flushOneJob(world, 0);
    await replicaCaughtUp();
  });

  after(async function () {
    if (this.currentTest?.state === "failed") await world?.saveLogs(this.currentTest.title).catch(() => undefined);
    await world?.cleanup();
  });

  it("restores a member from its running ring peers, up to the head they hold beyond the on-chain one, without a fork", async function () {
    await replicaCaughtUp();
    const lost = 1;
    const member = world.members[lost]?.address as string;
    await world.kill(lost);
    const peerView = (await world.members[0]?.node?.control.status<NodeStatus>())?.members.find((row) => row.address === member)?.held;
    const forksBefore = (await world.members[0]?.node?.control.status<NodeStatus>())?.forks ?? 0;
    await loseDataDir(dataDirOf(lost));

    const restarted = await world.start(lost);
    expect((await restarted.node?.control.status<NodeStatus>())?.own?.seq ?? -1).to.be.at.least(peerView?.seq ?? 0);
    await flushOneJob(world, 0);
    expect((await world.members[0]?.node?.control.status<NodeStatus>())?.forks ?? 0).to.equal(forksBefore);
  });

  it("restores one member with its ring peers down from the replica whose URL it finds on chain (no --restore-from), continues at the on-chain seq + 1, and the ring finalises the next round", async function () {
    const cut = await killMembersCaughtUp();
    const lost = 3;
    const member = world.members[lost]?.address as string;
    const onChain = cut.find((head) => head.author === member) as FlushedHead;
    await loseDataDir(dataDirOf(lost));

    const restarted = await world.start(lost);
    const own = (await restarted.node?.control.status<NodeStatus>())?.own;
    expect(own?.seq ?? -1).to.be.at.least(onChain.seq);
    const restored = restarted.node?.logs.find((line) => line.msg === "own log restored from the chain's heads before appending") as { bySource?: Record<string, number> } | undefined;
    expect(restored?.bySource?.[`GetReplicaLog ${replicaUrl}`] ?? 0, JSON.stringify(restored?.bySource)).to.be.greaterThan(0);

    for (let i = 0; i < lost; i++) await world.start(i);
    await flushOneJob(world, 0);
    const next = await world.members[lost]?.node?.control.log<{ nodes: Array<{ seq: number; prev: string[] }> }>(member, onChain.seq + 1, 1);
    expect(next?.nodes[0]?.seq).to.equal(onChain.seq + 1);
    expect(next?.nodes[0]?.prev[0]).to.equal(onChain.cid);
  });

  // With every data directory gone, the blocks of the jobs in the restored logs (code, inputs: not
  // log nodes, so not held by the replica ring) are gone too; the relayer proposes without them.
  it("restores all four members whose data directories are gone, and the ring finalises the next round", async function () {
    const cut = await killMembersCaughtUp();
    for (let i = 0; i < MEMBERS; i++) await loseDataDir(dataDirOf(i));

    for (let i = 0; i < MEMBERS; i++) await world.start(i, restoreEnv());
    for (const head of cut) {
      const index = world.members.findIndex((m) => m.address === head.author);
      const own = (await world.members[index]?.node?.control.status<NodeStatus>())?.own;
      expect(own?.seq ?? -1, `member ${index}`).to.be.at.least(head.seq);
    }
    await flushOneJob(world, 1);
  });

  it("stops following the ring once its registration has lapsed, and the lapse is announced on chain", async function () {
    const { chain } = world.ring;
    await chain.provider.send("evm_increaseTime", [31 * 24 * 3_600]);
    await chain.provider.send("evm_mine", []);
    await waitFor(
      "the replica to stop following the lapsed ring",
      async () => (((await replica.control.status<NodeStatus>()).replica ?? []).some((row) => row.ring === world.ring.ring) ? undefined : true),
      30_000,
      200,
    );
    const replicaRingContract = ReplicaRing__factory.connect(replicaRing, chain.account(0));
    expect(await replicaRingContract.isRegistered(world.ring.ring)).to.equal(false);
    const receipt = await (await replicaRingContract.expire(world.ring.ring)).wait();
    expect(receipt?.logs.map((log) => replicaRingContract.interface.parseLog(log)?.name)).to.include("RegistrationExpired");
  });

  it("refuses to start, exit code 3 and nothing appended, when no source has the member's log", async function () {
    await killMembers();
    await replica.kill();
    const lost = 2;
    await loseDataDir(dataDirOf(lost));
    const { address } = world.ring.members[lost] as { address: string };

    const args = [RING_NODE_BIN, "start", "--data-dir", dataDirOf(lost), "--rpc-url", world.ring.chain.url, "--ring", world.ring.ring, "--restore-from", replicaUrl];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: nodeEnv({ ...FAST_ROUNDS_ENV, RING_NODE_FACTORY: await world.ring.contracts.factory.getAddress() }) });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));

    expect(code, stderr).to.equal(REFUSED_TO_FORK_EXIT_CODE);
    expect(stderr).to.match(/OwnLogBehindChainError|OwnHeadUnknownError/);
    const logs = await readdir(join(dataDirOf(lost), "logs")).catch(() => [] as string[]);
    expect(logs.filter((name) => name.toLowerCase().includes(address.slice(2).toLowerCase()))).to.deep.equal([]);
  });
});
