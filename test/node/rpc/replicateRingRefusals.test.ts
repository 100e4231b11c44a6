/**
 * ReplicateRing refuses, before its relayer sends anything, what would revert on chain (the dry
 * run of the forwarded call), and bounds each signer's requests: an outsider cannot make the
 * replica node pay gas for reverting registrations (issue 12, finding 15). Real chain, real node.
 */
import { expect } from "chai";
import { hexlify, randomBytes, Wallet } from "ethers";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { buildReplicateRing, nextForwarderNonce } from "../../../node/src/client/requests.js";
import { RingsRpcError } from "../../../node/src/client/ringsRpcClient.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";
import { ReplicaRing__factory } from "../../../types/index.js";
import { createRing } from "../../../scripts/devnet/ringsOnChain.js";
import { buildRpcWorld, REPLICA_FEE, type RpcWorld } from "../../../scripts/devnet/rpcWorld.js";
import type { ReplicaNodeUnderTest } from "../../../scripts/devnet/replicaNode.js";

async function refusal(promise: Promise<unknown>): Promise<RingsRpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RingsRpcError) return error;
    throw error;
  }
  throw new Error("expected the node to refuse the request");
}

describe("ReplicateRing refusals before relaying", function () {
  let world: RpcWorld;
  let node: ReplicaNodeUnderTest;
  let relayer: string;

  before(async function () {
    world = await buildRpcWorld({ avatars: 2, replicaNodes: 1, register: false });
    node = world.replicaNodes[0] as ReplicaNodeUnderTest;
    relayer = (world.replicaIdentities[0] as { address: string }).address;
  });

  after(async function () {
    await world?.stop();
  });

  /** `signer`'s request registering `ring` (with credit deposited for it, so only membership can fail). */
  async function registration(signer: Wallet, ring: string) {
    await (await ReplicaRing__factory.connect(world.replicaRing, world.deployer).deposit(signer.address, { value: REPLICA_FEE })).wait();
    return buildReplicateRing({
      signer,
      ring,
      replicaRing: world.replicaRing,
      replicaKey: generateRingKeys().replicaKey,
      forwarder: world.forwarder,
      nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, signer.address),
    });
  }

  it("refuses a ReplicateRing from a non-member with -32009 before any transaction is sent", async function () {
    const ring = await createRing(world.contracts.factory, [(world.avatars[0] as Wallet).address], world.owner);
    const outsider = new Wallet(hexlify(randomBytes(32)), world.chain.provider);
    const request = await registration(outsider, ring);
    const [nonceBefore, balanceBefore] = await Promise.all([world.chain.provider.getTransactionCount(relayer), world.chain.provider.getBalance(relayer)]);

    const error = await refusal(node.client.replicateRing(request));

    expect(error.code).to.equal(RpcErrorCode.ReplicaRegistrationRefused);
    expect(error.message).to.contain(`NotAClientMember(${outsider.address}, ${ring})`);
    expect(await world.chain.provider.getTransactionCount(relayer)).to.equal(nonceBefore);
    expect(await world.chain.provider.getBalance(relayer)).to.equal(balanceBefore);
    expect(await ReplicaRing__factory.connect(world.replicaRing, world.chain.provider).isRegistered(ring)).to.equal(false);
  });

  it("refuses a signer's ReplicateRing beyond its budget of 5 with -32012", async function () {
    const ring = await createRing(world.contracts.factory, [(world.avatars[1] as Wallet).address], world.owner);
    const outsider = new Wallet(hexlify(randomBytes(32)), world.chain.provider);
    const request = await registration(outsider, ring);

    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await refusal(node.client.replicateRing(request))).code);

    expect(codes).to.deep.equal([...Array.from({ length: 5 }, () => RpcErrorCode.ReplicaRegistrationRefused), RpcErrorCode.Unavailable]);
  });
});
