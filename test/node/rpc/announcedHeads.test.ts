/**
 * A replica node learns client ring members' new heads from their announcements: a hardhat chain
 * with the client ring registered with the replica ring (scripts/devnet/rpcWorld.ts), one member
 * running a real node (Helia, libp2p over loopback, its Replicator announcing every append on the
 * ring's gossipsub topic) whose node info is on chain and whose log head never is. The replica
 * subscribes to the ring's topic, dials the member from its node info, and keeps what verifies;
 * forged announcements, even from the member's own connection, leave nothing behind.
 */
import { expect } from "chai";
import { getBytes, Wallet } from "ethers";
import { after, before, describe, it } from "mocha";
import { ZERO_BYTES32 } from "../../../node/src/core/cid.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { signLogNodeWithKey, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { generateIdentity } from "../../../node/src/identity/identity.js";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { encodeAnnouncement } from "../../../node/src/replication/messages.js";
import { headsTopic } from "../../../node/src/replication/protocols.js";
import { encryptPayload } from "../../../node/src/replica/payloadCipher.js";
import { Ring__factory } from "../../../types/index.js";
import { startClientMember, type ClientMemberNode } from "../../../scripts/devnet/clientMember.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import type { ReplicaNodeUnderTest } from "../../../scripts/devnet/replicaNode.js";
import { buildRpcWorld, type RpcWorld } from "../../../scripts/devnet/rpcWorld.js";

describe("a replica node follows members' head announcements", function () {
  this.timeout(120_000);
  let world: RpcWorld;
  let replica: ReplicaNodeUnderTest;
  let member: ClientMemberNode;
  let topic: string;
  const outsider = Wallet.createRandom();

  before(async function () {
    world = await buildRpcWorld({ avatars: 3, replicaNodes: 1, register: true });
    replica = world.replicaNodes[0] as ReplicaNodeUnderTest;
    member = await startClientMember(world, 0);
    topic = headsTopic(world.chainId, world.clientRing);
    const replicaPeer = replica.helia.libp2p.peerId.toString();
    // The replica found the member from the chain, dialled it and joined the ring's topic.
    await waitFor("the member to see the replica on the ring's topic", () => member.parts.helia.libp2p.services.pubsub.getSubscribers(topic).some((peer) => peer.toString() === replicaPeer) || undefined, 30_000);
  });

  after(async function () {
    await member?.stop();
    await world?.stop();
  });

  const author = () => member.identity.address;
  const heldSeq = async () => (await replica.rpc.replicaStore.head(world.clientRing, author()))?.seq ?? -1;
  const row = () => replica.rpc.follower?.progress().find((entry) => entry.member === author());
  const append = (text: string) => member.ownLog.append(encryptPayload(world.keys.readKey, { text }, { ring: world.clientRing, author: author() }));
  const publish = (bytes: Uint8Array) => member.parts.helia.libp2p.services.pubsub.publish(topic, bytes);

  /** A node of the member's log after `previous` (by the member, in the ring), signed by `signer`. */
  async function nodeAfter(previous: EncodedLogNode, signer: { privateKey: string }, authorAddress = author()): Promise<EncodedLogNode> {
    const body = { v: 1, ring: world.clientRing, author: authorAddress, seq: previous.node.seq + 1, prev: [previous.cid], payload: { forged: true } };
    return signLogNodeWithKey(body, getBytes(signer.privateKey), ringDomain(world.chainId, world.clientRing));
  }

  it("an appended node reaches the replica from its announcement while the chain names no head of the member", async function () {
    for (let i = 0; i < 3; i++) await append(`entry ${i}`);
    const head = member.store.head(author());
    await waitFor("the replica to hold the member's announced head", async () => ((await heldSeq()) === head?.seq ? true : undefined), 15_000, 50);
    expect(await Ring__factory.connect(world.clientRing, world.chain.provider).logNodeHeads(author())).to.equal(ZERO_BYTES32);
    expect((await replica.rpc.replicaStore.head(world.clientRing, author()))?.cid.toString()).to.equal(head?.cid.toString());
    const log = await replica.rpc.replicaStore.readLog(world.clientRing, author());
    expect(log.map((node) => node.node.seq)).to.deep.equal([2, 1, 0]);
    expect(JSON.stringify(log.map((node) => node.node.payload))).not.to.include("entry");
  });

  it("the replica's status row shows the announced head it took", async function () {
    const head = member.store.head(author());
    const shown = await waitFor("the status row", () => (row()?.announced?.seq === head?.seq ? row() : undefined), 5_000, 50);
    expect(shown?.announced?.cid).to.equal(head?.cid.toString());
    expect(shown?.held?.seq).to.equal(head?.seq);
    expect(shown?.refusedAnnouncements).to.equal(0);
  });

  it("an announcement that carries no nodes has the replica fetch the missing ones from the member over log-sync", async function () {
    member.announcing = false;
    for (let i = 0; i < 4; i++) await append(`quiet ${i}`);
    member.announcing = true;
    const head = member.store.head(author());
    if (head === null) throw new Error("no head");
    expect(await heldSeq()).to.equal(head.seq - 4);
    await publish(encodeAnnouncement(world.clientRing, head));
    await waitFor("the replica to fetch up to the announced head", async () => ((await heldSeq()) === head.seq ? true : undefined), 15_000, 50);
  });

  it("a forged node announced for a member (another key's signature) is refused: nothing is kept and the status counts it", async function () {
    const held = await replica.rpc.replicaStore.head(world.clientRing, author());
    const previous = await member.store.nodeAt(author(), held?.seq ?? 0);
    if (previous === null || held === null) throw new Error("no held node");
    const forged = await nodeAfter(previous, outsider);
    await publish(encodeAnnouncement(world.clientRing, { author: author(), seq: forged.node.seq, cid: forged.cid }, [forged.bytes]));
    await waitFor("the refusal in the status", () => (row()?.refusedAnnouncements === 1 ? true : undefined), 10_000, 50);
    expect(await heldSeq()).to.equal(held.seq);
    expect(await replica.helia.blockstore.has(forged.cid)).to.equal(false);
  });

  it("an announcement naming a non-member author is ignored before any verification, and nothing of it is kept", async function () {
    const before = replica.announced.stats().outcomes.ignored;
    const genesis = await signLogNodeWithKey({ v: 1, ring: world.clientRing, author: outsider.address, seq: 0, prev: [], payload: {} }, getBytes(outsider.privateKey), ringDomain(world.chainId, world.clientRing));
    await publish(encodeAnnouncement(world.clientRing, { author: outsider.address, seq: 0, cid: genesis.cid }, [genesis.bytes]));
    await waitFor("the announcement to be ignored", () => (replica.announced.stats().outcomes.ignored > before ? true : undefined), 10_000, 50);
    expect(await replica.rpc.replicaStore.head(world.clientRing, outsider.address)).to.equal(null);
    expect(await replica.helia.blockstore.has(genesis.cid)).to.equal(false);
  });

  it("an announcement from a peer that is not a node of the ring is dropped unread", async function () {
    const stranger = peerIdFromPrivateKey(generateIdentity().libp2pKey);
    const head = member.store.head(author());
    if (head === null) throw new Error("no head");
    const dropped = replica.announced.stats().dropped;
    expect(await replica.announced.receive(world.clientRing, encodeAnnouncement(world.clientRing, head), stranger)).to.equal(null);
    expect(replica.announced.stats().dropped).to.equal(dropped + 1);
  });

  it("the next genuine announcement after the forgeries is taken", async function () {
    await append("after the forgeries");
    const head = member.store.head(author());
    await waitFor("the replica to hold the new head", async () => ((await heldSeq()) === head?.seq ? true : undefined), 15_000, 50);
    expect(row()?.announced?.seq).to.equal(head?.seq);
  });
});
