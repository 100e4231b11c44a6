/**
 * Whom a member's bitswap serves its log blocks to, on a `ring-node` process and a `hardhat node`
 * chain (issue 12 finding 8): a peer outside the ring, and outside every ring the chain lets have
 * the blocks, gets nothing; a member of a replica ring the ring is registered with gets the block.
 * The fetching peers are real Helia nodes over loopback.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { hexlify, parseEther, randomBytes } from "ethers";
import { CID } from "multiformats/cid";
import { after, before, describe, it } from "mocha";
import { generateIdentity, type RingIdentity } from "../../../node/src/identity/identity.js";
import { loadKeystore } from "../../../node/src/identity/keystore.js";
import { createRingHelia, type RingHeliaParts } from "../../../node/src/p2p/createRingHelia.js";
import { fetchBlock } from "../../../node/src/replication/bitswapFetch.js";
import { ReplicaRing__factory } from "../../../types/index.js";
import { TEST_PASSWORD, type RingNodeProcess } from "../../../scripts/devnet/ringNodeProcess.js";
import { startTestRing, type TestRing } from "../../../scripts/devnet/ringOfNodes.js";
import { createReplicaRing } from "../../../scripts/devnet/ringsOnChain.js";

const FEE = parseEther("0.01");

describe("a member's bitswap serves the ring and its replica rings only", function () {
  this.timeout(90_000);
  let world: TestRing;
  let member: RingNodeProcess;
  let block: CID;
  let replicaRing: string;
  /** Members of the replica ring: the first asks before the registration, the second after. */
  let replicaMembers: [RingIdentity, RingIdentity];
  const peers: RingHeliaParts[] = [];
  const dirs: string[] = [];

  /** A Helia node of `identity`, connected to the member. */
  async function peerOf(identity: RingIdentity): Promise<RingHeliaParts> {
    const dataDir = await mkdtemp(join(tmpdir(), "served-peer-"));
    dirs.push(dataDir);
    const parts = await createRingHelia({ dataDir, privateKey: identity.libp2pKey, listen: ["/ip4/127.0.0.1/tcp/0"] });
    peers.push(parts);
    const { multiaddr } = await import("@multiformats/multiaddr");
    await parts.helia.libp2p.dial(multiaddr(member.multiaddr));
    return parts;
  }

  /** Whether `peer` gets the member's block over bitswap within `ms`. */
  const gets = (peer: RingHeliaParts, ms: number) =>
    fetchBlock(peer.helia, block, { timeoutMs: ms }).then(
      () => true,
      () => false,
    );

  before(async function () {
    world = await startTestRing(1, "served-peers");
    const deployer = world.chain.account(0);
    replicaMembers = [generateIdentity(), generateIdentity()];
    ({ replicaRing } = await createReplicaRing(world.contracts.factory, replicaMembers.map((identity) => identity.address), await deployer.getAddress(), FEE));
    member = await world.start(0, { env: { RING_NODE_FACTORY: await world.contracts.factory.getAddress(), RING_NODE_CHAIN_POLL_MS: "200" } });
    block = CID.parse((await member.control.append({ text: "a member's log node" })).cid);
  });

  after(async function () {
    for (const peer of peers) await peer.helia.stop().catch(() => undefined);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    await world?.cleanup();
  });

  it("a peer outside the ring and its replica rings cannot fetch a member's log block", async function () {
    const outsider = await peerOf(generateIdentity());
    expect(await gets(outsider, 3_000)).to.equal(false);
  });

  it("a member of a replica ring the ring is not registered with cannot fetch it", async function () {
    const replica = await peerOf(replicaMembers[0]);
    expect(await gets(replica, 3_000)).to.equal(false);
  });

  it("once the ring is registered with the replica ring, that replica ring's member fetches it from its first request", async function () {
    const registrant = (await loadKeystore(world.members[0]?.dataDir as string, TEST_PASSWORD)).wallet.connect(world.chain.provider);
    await (await ReplicaRing__factory.connect(replicaRing, world.chain.account(0)).deposit(registrant.address, { value: FEE })).wait();
    await (await ReplicaRing__factory.connect(replicaRing, registrant).register(world.ring, hexlify(randomBytes(32)))).wait();
    const replica = await peerOf(replicaMembers[1]);
    // A peer the member does not know yet makes it read the chain again before it answers.
    const served = await gets(replica, 5_000);
    expect(served).to.equal(true);
  });
});
