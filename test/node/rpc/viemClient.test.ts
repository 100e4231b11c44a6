/**
 * An independent client: viem (not ethers, not node/src/client) reads the forwarder's EIP-712
 * domain, signs the log node and the ERC-2771 ForwardRequest, and posts FlushToRing with plain
 * fetch. The node accepts it and the head moves on chain: the typed data match across libraries.
 */
import { createHmac } from "node:crypto";
import { expect } from "chai";
import type { Wallet } from "ethers";
import { createPublicClient, encodeFunctionData, http, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { getEip712Domain } from "viem/actions";
import { hardhat } from "viem/chains";
import { cidToBytes32 } from "../../../node/src/core/cid.js";
import { bodyDigest, encodeLogNode, LOG_NODE_VERSION } from "../../../node/src/core/logNode.js";
import { encryptPayload } from "../../../node/src/replica/payloadCipher.js";
import { Ring__factory } from "../../../types/index.js";
import { buildRpcWorld, type RpcWorld } from "../../../scripts/devnet/rpcWorld.js";
import type { ReplicaNodeUnderTest } from "../../../scripts/devnet/replicaNode.js";

describe("FlushToRing from a viem client", function () {
  let world: RpcWorld;
  let node: ReplicaNodeUnderTest;

  before(async function () {
    world = await buildRpcWorld({ avatars: 1, replicaNodes: 1, register: true });
    node = world.replicaNodes[0] as ReplicaNodeUnderTest;
  });

  after(async function () {
    await world?.stop();
  });

  it("is accepted and relayed: viem's EIP-712 signatures of LogNode and ForwardRequest verify on the node and on chain", async function () {
    // The client ring's member, as a viem account (the same key; nothing of ethers signs below).
    const account = privateKeyToAccount((world.avatars[0] as Wallet).privateKey as Hex);
    const ring = world.clientRing;
    const client = createPublicClient({ chain: { ...hardhat, id: Number(world.chainId) }, transport: http(world.chain.url) });

    // The log node, signed with viem under the ring's domain.
    const body = { v: LOG_NODE_VERSION, ring, author: account.address, seq: 0, prev: [], ts: Date.now(), payload: encryptPayload(world.keys.readKey, { text: "signed by viem" }, { ring, author: account.address }) };
    const digest = (await bodyDigest(body)) as Hex;
    const logSig = await account.signTypedData({
      domain: { name: "Rings", version: "1", chainId: Number(world.chainId), verifyingContract: ring as Hex },
      types: { LogNode: [{ name: "seq", type: "uint64" }, { name: "digest", type: "bytes32" }] },
      primaryType: "LogNode",
      message: { seq: 0n, digest },
    });
    const node0 = await encodeLogNode({ ...body, sig: Uint8Array.from(Buffer.from(logSig.slice(2), "hex")) });
    const head = cidToBytes32(node0.cid) as Hex;

    // The meta-transaction, signed with viem under the forwarder's own domain (read from the contract).
    const domain = await getEip712Domain(client, { address: world.contracts.forwarder as Hex });
    const nonce = await client.readContract({ address: world.contracts.forwarder as Hex, abi: [{ type: "function", name: "nonces", stateMutability: "view", inputs: [{ name: "owner", type: "address" }], outputs: [{ type: "uint256" }] }], functionName: "nonces", args: [account.address] });
    const mtx = {
      from: account.address,
      to: ring as Hex,
      value: 0n,
      gas: 100_000n,
      nonce,
      deadline: Math.floor(Date.now() / 1000) + 600,
      data: encodeFunctionData({ abi: [{ type: "function", name: "updateLogHead", stateMutability: "nonpayable", inputs: [{ name: "head", type: "bytes32" }], outputs: [] }], functionName: "updateLogHead", args: [head] }),
    };
    const mtxSig = await account.signTypedData({
      domain: { name: domain.domain.name, version: domain.domain.version, chainId: domain.domain.chainId, verifyingContract: domain.domain.verifyingContract },
      types: {
        ForwardRequest: [
          { name: "from", type: "address" },
          { name: "to", type: "address" },
          { name: "value", type: "uint256" },
          { name: "gas", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint48" },
          { name: "data", type: "bytes" },
        ],
      },
      primaryType: "ForwardRequest",
      message: mtx,
    });

    // The MAC proving it holds the ring's replica key, with node:crypto (the layout of node/src/replica/requestMacs.ts).
    const u32 = (value: number) => Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
    const mac = createHmac("sha256", world.keys.replicaKey)
      .update("rings/flush-to-ring/v1")
      .update(Buffer.from(ring.slice(2), "hex"))
      .update(Buffer.from(account.address.slice(2), "hex"))
      .update(Buffer.from(mtxSig.slice(2), "hex"))
      .update(u32(1))
      .update(u32(node0.bytes.length))
      .update(node0.bytes)
      .digest("hex");

    const response = await fetch(node.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: "viem-1",
        method: "FlushToRing",
        params: {
          avatar: account.address,
          ring,
          mtx: { ...mtx, value: "0", gas: mtx.gas.toString(), nonce: mtx.nonce.toString(), deadline: mtx.deadline.toString() },
          mtx_sig: mtxSig,
          logNodes: [toHex(node0.bytes)],
          mac: `0x${mac}`,
        },
      }),
    });
    const answer = (await response.json()) as { id: string; result?: { state: string; tx: string }; error?: unknown };

    expect(answer.error, JSON.stringify(answer.error)).to.equal(undefined);
    expect(answer.id).to.equal("viem-1");
    expect(answer.result?.state).to.equal("relayed");
    expect(await Ring__factory.connect(ring, world.chain.provider).logNodeHeads(account.address)).to.equal(head);
  });
});
