/**
 * ReplicateRing and replica rings: registration through a replica node, payloads that stay
 * ciphertext on the replica (the read key never leaves the client ring), reads decrypted by a
 * member, and every member of the replica ring replicating the client ring by following its heads.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { getBytes, hexlify, Wallet } from "ethers";
import { cidToBytes32 } from "../../../node/src/core/cid.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { decodeLogNode, recoverLogNodeAuthor } from "../../../node/src/core/logNode.js";
import { buildFlushToRing, buildReplicateRing, nextForwarderNonce, replicaLogAuth, signReplicaLogAuth } from "../../../node/src/client/requests.js";
import { RingsRpcError } from "../../../node/src/client/ringsRpcClient.js";
import { decryptPayload, PayloadDecryptionError } from "../../../node/src/replica/payloadCipher.js";
import { encodeRingKey, generateRingKeys, ringKeyId } from "../../../node/src/replica/ringKeys.js";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { ReplicaRing__factory } from "../../../types/index.js";
import { buildRpcWorld, REPLICA_FEE, type RpcWorld } from "../../../scripts/devnet/rpcWorld.js";
import type { ReplicaNodeUnderTest } from "../../../scripts/devnet/replicaNode.js";

/** Every file under `dir` that contains `needle`. */
async function filesContaining(dir: string, needle: Uint8Array): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    // The node keeps running: a temporary file may be renamed away between listing and reading.
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return Buffer.alloc(0);
      throw error;
    });
    if (bytes.includes(Buffer.from(needle))) found.push(path);
  }
  return found;
}

async function flush(world: RpcWorld, node: ReplicaNodeUnderTest, avatarIndex: number, texts: string[]) {
  const avatar = world.avatars[avatarIndex] as Wallet;
  const log = world.avatarLog(avatarIndex);
  for (const text of texts) await log.append({ text });
  const request = await buildFlushToRing({
    signer: avatar,
    ring: world.clientRing,
    replicaKey: world.keys.replicaKey,
    forwarder: world.forwarder,
    logNodes: log.pending(),
    nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
  });
  const result = await node.client.flushToRing(request);
  expect(result.state).to.equal("relayed");
  return { avatar, head: log.currentHead() };
}

async function until<T>(probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("ReplicateRing and replica rings", function () {
  let world: RpcWorld;
  let nodeA: ReplicaNodeUnderTest;
  let nodeB: ReplicaNodeUnderTest;

  before(async function () {
    world = await buildRpcWorld({ avatars: 3, replicaNodes: 2, register: false });
    nodeA = world.replicaNodes[0] as ReplicaNodeUnderTest;
    nodeB = world.replicaNodes[1] as ReplicaNodeUnderTest;
    // Replica ring members are connected (as ring-node's replication connects members).
    await nodeB.helia.libp2p.dial(nodeA.helia.libp2p.getMultiaddrs()[0] as Parameters<typeof nodeB.helia.libp2p.dial>[0]);
  });

  after(async function () {
    await world?.stop();
  });

  it("registers the ring on chain through the node, paying the fee from the member's credit, and keeps the replica key", async function () {
    const result = await world.replicate(nodeA, 0);

    const replicaRing = ReplicaRing__factory.connect(world.replicaRing, world.chain.provider);
    expect(await replicaRing.isRegistered(world.clientRing)).to.equal(true);
    expect((await replicaRing.registrationOf(world.clientRing))[0]).to.equal((world.avatars[0] as Wallet).address);
    expect(await replicaRing.collectedFees()).to.equal(REPLICA_FEE);
    expect(result.replicaKeyId).to.equal(ringKeyId(world.keys.replicaKey));
    expect(await nodeA.rpc.replicaKeys.has(world.clientRing)).to.equal(true);
    const registered = (await nodeA.ownPayloads()) as { type: string; payload: { ring: string; tx: string } }[];
    expect(registered.some((message) => message.type === "ReplicateRing" && message.payload.ring === world.clientRing && message.payload.tx === result.tx)).to.equal(true);
  });

  it("refuses a ReplicateRing whose mtx does not call register(ring) on the replica ring with -32006", async function () {
    const avatar = world.avatars[1] as Wallet;
    const request = await buildReplicateRing({
      signer: avatar,
      ring: world.clientRing,
      replicaRing: world.replicaRing,
      replicaKey: world.keys.replicaKey,
      forwarder: world.forwarder,
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
    });

    const error = await nodeA.client.replicateRing({ ...request, ring: world.contracts.gate }).then(
      () => null,
      (failure: unknown) => failure as RingsRpcError,
    );

    expect(error).to.be.instanceOf(RingsRpcError);
    expect(error?.code).to.equal(RpcErrorCode.MtxNotRelayable);
  });

  it("keeps only ciphertext of the client's payloads in the replica node's store", async function () {
    const secret = `secret-${hexlify(Wallet.createRandom().privateKey).slice(2, 18)}`;
    await flush(world, nodeA, 0, [secret, `${secret}-again`]);

    // The scan finds what is stored in the clear (the node's own `received` messages) ...
    expect(await filesContaining(nodeA.dataDir, Buffer.from("GlobalAddressRing"))).to.not.be.empty;
    // ... and finds no payload of the client's.
    expect(await filesContaining(nodeA.dataDir, Buffer.from(secret))).to.deep.equal([]);
  });

  it("serves the log to a reader holding the read key, who verifies each node and decrypts it (the replica key cannot)", async function () {
    const { avatar } = await flush(world, nodeA, 1, ["hello ring", "hello again"]);

    const served = await nodeA.client.getReplicaLog({ ring: world.clientRing, member: avatar.address, auth: replicaLogAuth(world.keys.replicaKey, { ring: world.clientRing, member: avatar.address }) });

    const domain = ringDomain(world.chainId, world.clientRing);
    const texts: unknown[] = [];
    for (const hex of served.nodes) {
      const node = await decodeLogNode(getBytes(hex));
      expect(recoverLogNodeAuthor(node, domain)).to.equal(avatar.address);
      expect(() => decryptPayload(world.keys.replicaKey, node.node.payload, { ring: world.clientRing, author: avatar.address })).to.throw(PayloadDecryptionError);
      texts.push(decryptPayload(world.keys.readKey, node.node.payload, { ring: world.clientRing, author: avatar.address }));
    }
    expect(texts).to.deep.equal([{ text: "hello again" }, { text: "hello ring" }]);
  });

  it("refuses an unauthenticated GetReplicaLog", async function () {
    const avatar = world.avatars[1] as Wallet;

    const error = await nodeA.client.call("GetReplicaLog", { ring: world.clientRing, member: avatar.address }).then(
      () => null,
      (failure: unknown) => failure as RingsRpcError,
    );

    expect(error?.code).to.equal(-32602);
    expect(JSON.stringify(error?.data)).to.contain("auth");
  });

  it("is replicated by every member of the replica ring, following the avatar's on-chain head", async function () {
    const { avatar, head } = await flush(world, nodeA, 2, ["followed", "followed again", "and once more"]);
    expect(head).to.not.equal(null);

    const held = await until(async () => {
      const replicaHead = await nodeB.rpc.replicaStore.head(world.clientRing, avatar.address);
      return replicaHead !== null && replicaHead.cid.equals(head?.cid) ? replicaHead : null;
    }, 20_000);

    expect(cidToBytes32(held.cid)).to.equal(cidToBytes32(head?.cid as NonNullable<typeof head>["cid"]));
    // nodeB holds no replica key: a member of the ring signs the read.
    const auth = await signReplicaLogAuth(avatar, { ring: world.clientRing, member: avatar.address });
    expect((await nodeB.client.getReplicaLog({ ring: world.clientRing, member: avatar.address, auth })).nodes).to.have.length(3);
    expect(await nodeB.rpc.replicaKeys.has(world.clientRing)).to.equal(false);
  });

  it("hands the replica key to a further replica node when a member signs the registration again", async function () {
    const avatar = world.avatars[0] as Wallet;
    const request = await buildReplicateRing({
      signer: avatar,
      ring: world.clientRing,
      replicaRing: world.replicaRing,
      replicaKey: world.keys.replicaKey,
      forwarder: world.forwarder,
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
    });

    const result = await nodeB.client.replicateRing(request);

    expect(result.tx).to.equal(null);
    expect(await nodeB.rpc.replicaKeys.has(world.clientRing)).to.equal(true);
  });

  it("refuses a registered ring's ReplicateRing replayed with another key with -32006, keeping the held key", async function () {
    const avatar = world.avatars[0] as Wallet;
    const request = await buildReplicateRing({
      signer: avatar,
      ring: world.clientRing,
      replicaRing: world.replicaRing,
      replicaKey: world.keys.replicaKey,
      forwarder: world.forwarder,
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
    });

    const error = await nodeA.client.replicateRing({ ...request, replica_key: encodeRingKey(generateRingKeys().replicaKey) }).then(
      () => null,
      (failure: unknown) => failure as RingsRpcError,
    );

    expect(error?.code).to.equal(RpcErrorCode.MtxNotRelayable);
    expect(ringKeyId((await nodeA.rpc.replicaKeys.get(world.clientRing))?.replicaKey as Uint8Array)).to.equal(ringKeyId(world.keys.replicaKey));
  });

  it("refuses a member's hand-over of a key other than the one the ring registered with -32009, keeping the held key", async function () {
    const avatar = world.avatars[1] as Wallet;
    const request = await buildReplicateRing({
      signer: avatar,
      ring: world.clientRing,
      replicaRing: world.replicaRing,
      replicaKey: generateRingKeys().replicaKey,
      forwarder: world.forwarder,
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
    });

    const error = await nodeA.client.replicateRing(request).then(
      () => null,
      (failure: unknown) => failure as RingsRpcError,
    );

    expect(error?.code).to.equal(RpcErrorCode.ReplicaRegistrationRefused);
    expect(error?.message).to.match(/not the key .* registered with/);
    expect(ringKeyId((await nodeA.rpc.replicaKeys.get(world.clientRing))?.replicaKey as Uint8Array)).to.equal(ringKeyId(world.keys.replicaKey));
  });
});
