/**
 * FlushToRing against a real chain (`hardhat node` over JSON-RPC) and a real replica node (Helia,
 * its own signed log, the JSON-RPC server): every check refuses with its own code, and an accepted
 * flush ends with the avatar's head on chain and `received` + `relayed` in the replica's log.
 */
import { expect } from "chai";
import { getBytes, hexlify, randomBytes, Wallet } from "ethers";
import { cidToBytes32 } from "../../../node/src/core/cid.js";
import { AvatarLog } from "../../../node/src/client/avatarLog.js";
import { buildFlushToRing, nextForwarderNonce } from "../../../node/src/client/requests.js";
import { RingsRpcError } from "../../../node/src/client/ringsRpcClient.js";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { flushMac } from "../../../node/src/replica/requestMacs.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";
import { Ring__factory } from "../../../types/index.js";
import { createRing } from "../../../scripts/devnet/ringsOnChain.js";
import { buildRpcWorld, type RpcWorld } from "../../../scripts/devnet/rpcWorld.js";
import type { ReplicaNodeUnderTest } from "../../../scripts/devnet/replicaNode.js";

async function flushRequest(world: RpcWorld, signer: Wallet, log: AvatarLog, overrides: { ring?: string; nonce?: bigint } = {}) {
  return buildFlushToRing({
    signer,
    ring: overrides.ring ?? world.clientRing,
    replicaKey: world.keys.replicaKey,
    forwarder: world.forwarder,
    logNodes: log.pending(),
    nonce: overrides.nonce ?? (await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, signer.address)),
  });
}

async function refusal(promise: Promise<unknown>): Promise<RingsRpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RingsRpcError) return error;
    throw error;
  }
  throw new Error("expected the node to refuse the request");
}

describe("FlushToRing", function () {
  let world: RpcWorld;
  let node: ReplicaNodeUnderTest;

  before(async function () {
    world = await buildRpcWorld({ avatars: 4, replicaNodes: 1, register: true });
    node = world.replicaNodes[0] as ReplicaNodeUnderTest;
  });

  after(async function () {
    await world?.stop();
  });

  it("relays the flush: the avatar's head is updated on chain and the replica's log holds `received` then `relayed`", async function () {
    const avatar = world.avatars[0] as Wallet;
    const log = world.avatarLog(0);
    await log.append({ text: "first" });
    const head = await log.append({ text: "second" });
    const request = await flushRequest(world, avatar, log);

    const result = await node.client.flushToRing(request);

    expect(result.state).to.equal("relayed");
    expect(result.steps.map((step) => `${step.step}:${step.status}`)).to.deep.equal([
      "replicaKey:ok", "signature:ok", "replay:ok", "membership:ok", "logNodes:ok", "mtx:ok", "received:ok", "relayed:ok",
    ]);
    expect(await Ring__factory.connect(world.clientRing, world.chain.provider).logNodeHeads(avatar.address)).to.equal(cidToBytes32(head.cid));
    const messages = (await node.ownPayloads()) as { type: string; status: string; msg_hash: string; payload: Record<string, unknown> }[];
    const mine = messages.filter((message) => message.msg_hash === result.id);
    expect(mine.map((message) => message.status)).to.deep.equal(["received", "relayed"]);
    expect(mine[0]?.payload.avatar).to.equal(avatar.address);
    expect(mine[1]?.payload.tx).to.equal(result.tx);
    expect(BigInt(mine[1]?.payload.txfee as string) > 0n).to.equal(true);
  });

  it("answers GetFlushStatus later with the same steps and transaction", async function () {
    const avatar = world.avatars[1] as Wallet;
    const log = world.avatarLog(1);
    await log.append({ text: "status" });
    const result = await node.client.flushToRing(await flushRequest(world, avatar, log));

    const status = await node.client.getFlushStatus(result.id);

    expect(status).to.deep.equal(result);
  });

  it("refuses a ring whose replica key it does not hold with -32001", async function () {
    const avatar = world.avatars[2] as Wallet;
    const otherRing = await createRing(world.contracts.factory, [avatar.address], world.owner);
    const log = new AvatarLog({ signer: avatar, ring: otherRing, chainId: world.chainId, readKey: world.keys.readKey });
    await log.append({ text: "unreplicated" });

    const error = await refusal(node.client.flushToRing(await flushRequest(world, avatar, log, { ring: otherRing })));

    expect(error.code).to.equal(RpcErrorCode.ReplicaKeyNotHeld);
  });

  it("refuses an mtx not signed by the avatar with -32002", async function () {
    const avatar = world.avatars[2] as Wallet;
    const log = world.avatarLog(2);
    await log.append({ text: "forged" });
    const request = await flushRequest(world, avatar, log);
    const forger = new Wallet(hexlify(randomBytes(32)));
    const forged = await flushRequest(world, forger, log);

    // A key holder's MAC over the swapped signature: the signature check itself refuses it.
    const mac = flushMac(world.keys.replicaKey, { ring: request.ring, avatar: request.avatar, mtxSig: forged.mtx_sig, logNodes: request.logNodes.map((node) => getBytes(node)) });

    const error = await refusal(node.client.flushToRing({ ...request, mtx_sig: forged.mtx_sig, mac }));

    expect(error.code).to.equal(RpcErrorCode.MtxSignatureMismatch);
  });

  it("refuses a request whose MAC was made with another key with -32001, before any chain read", async function () {
    const avatar = world.avatars[2] as Wallet;
    const log = world.avatarLog(2);
    await log.append({ text: "not from a key holder" });
    const request = await buildFlushToRing({
      signer: avatar,
      ring: world.clientRing,
      replicaKey: generateRingKeys().replicaKey,
      forwarder: world.forwarder,
      logNodes: log.pending(),
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
    });

    const error = await refusal(node.client.flushToRing(request));

    expect(error.code).to.equal(RpcErrorCode.ReplicaKeyNotHeld);
    expect((error.data as { steps: { step: string; status: string }[] }).steps).to.deep.equal([{ step: "replicaKey", status: "failed", detail: `mac is not made with ring ${world.clientRing}'s replica key` }]);
  });

  it("refuses plaintext payloads with -32013, storing nothing", async function () {
    const avatar = world.avatars[2] as Wallet;
    // No read key: the payload goes in the clear.
    const log = new AvatarLog({ signer: avatar, ring: world.clientRing, chainId: world.chainId });
    await log.append({ text: "readable by the replica" });

    const error = await refusal(node.client.flushToRing(await flushRequest(world, avatar, log)));

    expect(error.code).to.equal(RpcErrorCode.PayloadNotEncrypted);
    expect(await node.rpc.replicaStore.head(world.clientRing, avatar.address)).to.equal(null);
  });

  it("refuses an avatar that is not a member of the ring with -32003", async function () {
    const outsider = new Wallet(hexlify(randomBytes(32)), world.chain.provider);
    const log = new AvatarLog({ signer: outsider, ring: world.clientRing, chainId: world.chainId, readKey: world.keys.readKey });
    await log.append({ text: "let me in" });

    const error = await refusal(node.client.flushToRing(await flushRequest(world, outsider, log)));

    expect(error.code).to.equal(RpcErrorCode.NotAMember);
  });

  it("refuses log nodes with a gap before the on-chain head with -32004 (log replication incomplete)", async function () {
    const avatar = world.avatars[3] as Wallet;
    const log = world.avatarLog(3);
    await log.append({ text: "kept back" });
    const newest = await log.append({ text: "sent alone" });
    const request = await buildFlushToRing({
      signer: avatar,
      ring: world.clientRing,
      replicaKey: world.keys.replicaKey,
      forwarder: world.forwarder,
      logNodes: [newest],
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
    });

    const error = await refusal(node.client.flushToRing(request));

    expect(error.code).to.equal(RpcErrorCode.LogReplicationIncomplete);
    expect(error.message).to.contain("log replication incomplete");
  });

  it("refuses log nodes signed by another key with -32004", async function () {
    const avatar = world.avatars[3] as Wallet;
    const impostor = new Wallet(hexlify(randomBytes(32)));
    const log = new AvatarLog({ signer: impostor, ring: world.clientRing, chainId: world.chainId, readKey: world.keys.readKey });
    await log.append({ text: "not mine" });
    const request = await buildFlushToRing({
      signer: avatar,
      ring: world.clientRing,
      replicaKey: world.keys.replicaKey,
      forwarder: world.forwarder,
      logNodes: log.pending(),
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address),
    });

    const error = await refusal(node.client.flushToRing(request));

    expect(error.code).to.equal(RpcErrorCode.LogReplicationIncomplete);
  });

  it("refuses a replayed mtx with -32005", async function () {
    const avatar = world.avatars[3] as Wallet;
    const log = world.avatarLog(3);
    await log.append({ text: "once" });
    const request = await flushRequest(world, avatar, log);
    const first = await node.client.flushToRing(request);
    expect(first.state).to.equal("relayed");

    const error = await refusal(node.client.flushToRing(request));

    expect(error.code).to.equal(RpcErrorCode.MtxReplayed);
  });
});
