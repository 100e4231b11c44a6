/**
 * The JSON-RPC service as operators run it: inside a `ring-node start` process (a member of a
 * replica ring), found through `<dataDir>/jsonrpc.json`. A light client registers its ring and
 * flushes through it; after kill -9 and a restart the node still knows the flush and the key.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { hexlify, parseEther, randomBytes, Wallet } from "ethers";
import { AvatarLog } from "../../../node/src/client/avatarLog.js";
import { buildFlushToRing, buildReplicateRing, nextForwarderNonce, readForwarderInfo, type ForwarderInfo } from "../../../node/src/client/requests.js";
import { RingsRpcClient } from "../../../node/src/client/ringsRpcClient.js";
import { cidToBytes32 } from "../../../node/src/core/cid.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";
import { JSONRPC_FILE } from "../../../node/src/rpc/jsonRpcService.js";
import { ReplicaRing__factory, Ring__factory } from "../../../types/index.js";
import { startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { initRingNode, RingNodeProcess } from "../../../scripts/devnet/ringNodeProcess.js";
import { createReplicaRing, createRing, deployRingsContracts, fund, type RingsContracts } from "../../../scripts/devnet/ringsOnChain.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const FEE = parseEther("0.01");

async function jsonRpcUrl(node: RingNodeProcess): Promise<string> {
  return waitFor(
    "jsonrpc.json of the started node",
    async () => {
      try {
        const info = JSON.parse(await readFile(join(node.options.dataDir, JSONRPC_FILE), "utf8")) as { url: string; pid: number };
        return info.pid === node.child.pid ? info.url : undefined;
      } catch {
        return undefined;
      }
    },
    60_000,
  );
}

describe("JSON-RPC in a ring-node process", function () {
  const dirs = tempDirs("rings-rpc-process");
  let chain: HardhatNode;
  let contracts: RingsContracts;
  const started = new Set<RingNodeProcess>();
  let node: RingNodeProcess;

  before(async function () {
    chain = await startHardhatNode();
    contracts = await deployRingsContracts(chain.account(0));
  });

  after(async function () {
    for (const ringNode of started) await ringNode.kill().catch(() => undefined);
    await chain?.stop();
    await dirs.cleanup();
  });

  /** A replica ring of one initialised ring-node, a client ring of one light avatar with credit, and the client's keys. */
  async function replicaSetUp(label: string) {
    const deployer = chain.account(0);
    const owner = await deployer.getAddress();
    const dataDir = await dirs.make(label);
    const { address: replicaMember } = await initRingNode(dataDir);
    const { ring: replicaRingRing, replicaRing } = await createReplicaRing(contracts.factory, [replicaMember], owner, FEE);
    await fund(deployer, [replicaMember], parseEther("10"));
    const avatar = new Wallet(hexlify(randomBytes(32)), chain.provider);
    const clientRing = await createRing(contracts.factory, [avatar.address], owner);
    await (await ReplicaRing__factory.connect(replicaRing, deployer).deposit(avatar.address, { value: FEE })).wait();
    const forwarder: ForwarderInfo = await readForwarderInfo(chain.provider, contracts.forwarder);
    const keys = generateRingKeys();
    const log = new AvatarLog({ signer: avatar, ring: clientRing, chainId: (await chain.provider.getNetwork()).chainId, readKey: keys.readKey });
    const nonce = () => nextForwarderNonce(chain.provider, contracts.forwarder, avatar.address);
    return {
      avatar,
      clientRing,
      log,
      startNode: async (env: NodeJS.ProcessEnv = {}) => {
        const ringNode = await RingNodeProcess.start({ dataDir, rpcUrl: chain.url, ring: replicaRingRing, env: { RING_NODE_REPLICA_RING: replicaRing, ...env } });
        started.add(ringNode);
        return ringNode;
      },
      register: async (client: RingsRpcClient) =>
        client.replicateRing(await buildReplicateRing({ signer: avatar, ring: clientRing, replicaRing, replicaKey: keys.replicaKey, forwarder, nonce: await nonce() })),
      flushRequest: async () => buildFlushToRing({ signer: avatar, ring: clientRing, replicaKey: keys.replicaKey, forwarder, logNodes: log.pending(), nonce: await nonce() }),
    };
  }

  it("registers a ring and relays its flushes, and after kill -9 and restart still answers for them", async function () {
    const world = await replicaSetUp("replica");
    node = await world.startNode();
    let client = new RingsRpcClient(await jsonRpcUrl(node));
    const registration = await world.register(client);
    expect(registration.tx).to.be.a("string");
    await world.log.append({ text: "through a process" });
    const first = await client.flushToRing(await world.flushRequest());
    expect(first.state).to.equal("relayed");
    world.log.markFlushed(world.log.currentHead()?.cid as NonNullable<ReturnType<typeof world.log.currentHead>>["cid"]);

    await node.kill();
    node = await world.startNode();
    client = new RingsRpcClient(await jsonRpcUrl(node));

    expect(await client.getFlushStatus(first.id)).to.deep.equal(first);
    const head = await world.log.append({ text: "after the restart" });
    const second = await client.flushToRing(await world.flushRequest());
    expect(second.state).to.equal("relayed");
    expect(await Ring__factory.connect(world.clientRing, chain.provider).logNodeHeads(world.avatar.address)).to.equal(cidToBytes32(head.cid));
  });

  it("finishes after a restart a flush it had received but not seen relayed when it was killed", async function () {
    const world = await replicaSetUp("replica-resume");
    node = await world.startNode({ RING_NODE_JSONRPC_RELAY_WAIT_MS: "300" });
    let client = new RingsRpcClient(await jsonRpcUrl(node));
    await world.register(client);
    const head = await world.log.append({ text: "accepted, then the node dies" });
    const request = await world.flushRequest();

    // The chain stops mining: the relay transaction waits in the mempool, and the answer says "received".
    await chain.provider.send("evm_setAutomine", [false]);
    let accepted;
    try {
      accepted = await client.flushToRing(request);
      expect(accepted.state).to.equal("received");
      await node.kill();
      await chain.provider.send("evm_mine", []);
    } finally {
      await chain.provider.send("evm_setAutomine", [true]);
    }
    node = await world.startNode();
    client = new RingsRpcClient(await jsonRpcUrl(node));

    const finished = await client.waitForFlush(accepted.id, { timeoutMs: 30_000 });
    expect(finished.state).to.equal("relayed");
    expect(finished.tx).to.be.a("string");
    expect(await Ring__factory.connect(world.clientRing, chain.provider).logNodeHeads(world.avatar.address)).to.equal(cidToBytes32(head.cid));
  });
});
