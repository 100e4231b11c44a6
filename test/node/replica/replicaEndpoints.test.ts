/**
 * Replica nodes found from the chain (chain/replicaEndpoints.ts, rpc/endpointPublisher.ts): on a
 * `hardhat node` chain with two replica nodes of one replica ring (in process, the JSON-RPC service
 * on loopback), each publishes the URL it serves JSON-RPC at on its ReplicaRing; a client ring's
 * member reads them back once its ring is registered, and GetReplicaLog answers at each URL found.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { after, before, describe, it } from "mocha";
import { ServedRings } from "../../../node/src/chain/servedRings.js";
import { ReplicaRingReads } from "../../../node/src/chain/contractReads.js";
import { buildFlushToRing, nextForwarderNonce, signReplicaLogAuth } from "../../../node/src/client/requests.js";
import { RingsRpcClient } from "../../../node/src/client/ringsRpcClient.js";
import { silentLogger } from "../../../node/src/logging.js";
import { publishEndpoint } from "../../../node/src/rpc/endpointPublisher.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { buildRpcWorld, type RpcWorld } from "../../../scripts/devnet/rpcWorld.js";
import { fund } from "../../../scripts/devnet/ringsOnChain.js";
import type { ReplicaNodeUnderTest } from "../../../scripts/devnet/replicaNode.js";

describe("replica nodes' JSON-RPC endpoints on chain", function () {
  this.timeout(120_000);
  let world: RpcWorld;
  let reads: ReplicaRingReads;
  let served: ServedRings;

  const node = (index: number) => world.replicaNodes[index] as ReplicaNodeUnderTest;
  const endpointUrls = async () => (await served.replicaEndpoints(AbortSignal.timeout(10_000))).map((endpoint) => endpoint.url).sort();

  before(async function () {
    world = await buildRpcWorld({ avatars: 2, replicaNodes: 2 });
    reads = new ReplicaRingReads(world.replicaRing, world.chain.provider);
    // Replica ring members are connected (as ring-node's replication connects members): the second fetches from the first.
    await node(1).helia.libp2p.dial(node(0).helia.libp2p.getMultiaddrs()[0] as Parameters<ReplicaNodeUnderTest["helia"]["libp2p"]["dial"]>[0]);
    served = new ServedRings({ provider: world.chain.provider, ring: world.clientRing, factory: await world.contracts.factory.getAddress() });
  });

  after(async function () {
    await world?.stop();
  });

  it("each replica node publishes the URL it serves JSON-RPC at on its ReplicaRing at start", async function () {
    for (const index of [0, 1]) {
      await waitFor(`replica ${index}'s endpoint on chain`, async () => (await reads.endpointOf(node(index).identity.address)) === node(index).url || undefined, 20_000, 100);
    }
  });

  it("a client ring registered with no replica ring finds no endpoint; once registered, it finds every replica node's URL", async function () {
    expect(await endpointUrls()).to.deep.equal([]);

    await world.replicate(node(0));

    expect(await endpointUrls()).to.deep.equal([node(0).url, node(1).url].sort());
  });

  it("GetReplicaLog answers at every URL found on chain with the log a member flushed through one replica node", async function () {
    const avatar = world.avatars[1] as Wallet;
    const log = world.avatarLog(1);
    for (const text of ["one", "two", "three"]) await log.append({ text });
    const request = await buildFlushToRing({
      signer: avatar,
      ring: world.clientRing,
      replicaKey: world.keys.replicaKey,
      forwarder: world.forwarder,
      logNodes: log.pending(),
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
    });
    expect((await node(0).client.flushToRing(request)).state).to.equal("relayed");

    for (const url of await endpointUrls()) {
      const client = new RingsRpcClient(url, { timeoutMs: 10_000 });
      const served = await waitFor(
        `${url} to serve the flushed log`,
        async () => {
          const auth = await signReplicaLogAuth(avatar, { ring: world.clientRing, member: avatar.address });
          const nodes: string[] = [];
          for await (const page of client.replicaLogPages({ ring: world.clientRing, member: avatar.address, limit: 1_000, auth })) nodes.push(...page.nodes);
          return nodes.length === 3 ? nodes : undefined;
        },
        20_000,
        200,
      );
      expect(served).to.have.length(3);
    }
  });

  it("a public URL replaces the listening one, and publishing the URL the chain holds sends no transaction", async function () {
    const wallet = node(1).identity.wallet.connect(world.chain.provider);
    const publication = { provider: world.chain.provider, wallet, self: node(1).identity.address, replicaRing: world.replicaRing, url: "https://replica-1.example/rpc", logger: silentLogger(), signal: AbortSignal.timeout(20_000) };

    expect(await publishEndpoint(publication)).to.equal(true);
    expect(await reads.endpointOf(node(1).identity.address)).to.equal("https://replica-1.example/rpc");
    const nonce = await world.chain.provider.getTransactionCount(wallet.address);
    expect(await publishEndpoint(publication)).to.equal(true);
    expect(await world.chain.provider.getTransactionCount(wallet.address)).to.equal(nonce);
  });

  it("an account that is no member of the replica ring's ring publishes nothing: refused before a transaction is sent", async function () {
    const stranger = Wallet.createRandom().connect(world.chain.provider);
    await fund(world.deployer, [stranger.address]);
    const publication = { provider: world.chain.provider, wallet: stranger, self: stranger.address, replicaRing: world.replicaRing, url: "https://stranger.example/", logger: silentLogger(), signal: AbortSignal.timeout(20_000) };

    expect(await publishEndpoint(publication)).to.equal(false);
    expect(await world.chain.provider.getTransactionCount(stranger.address)).to.equal(0);
    expect(await reads.endpointOf(stranger.address)).to.equal("");
  });
});
