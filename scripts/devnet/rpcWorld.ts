/**
 * The world the JSON-RPC tests and the benchmark run in: a `hardhat node` chain with the Rings
 * contracts, a client ring of light avatars (wallets that never run a node), a replica ring whose
 * member runs a replica node, and the client ring's keys (replica key and read key).
 */
import { hexlify, parseEther, randomBytes, Wallet, type Signer } from "ethers";
import { generateIdentity, type RingIdentity } from "../../node/src/identity/identity.js";
import { AvatarLog } from "../../node/src/client/avatarLog.js";
import { buildReplicateRing, nextForwarderNonce, readForwarderInfo, type ForwarderInfo } from "../../node/src/client/requests.js";
import type { ReplicateRingResult } from "../../node/src/client/ringsRpcClient.js";
import { generateRingKeys, type RingKeys } from "../../node/src/replica/ringKeys.js";
import { ReplicaRing__factory } from "../../types/index.js";
import { startHardhatNode, type HardhatNode } from "./hardhatNode.js";
import { createReplicaRing, createRing, deployRingsContracts, fund, type RingsContracts } from "./ringsOnChain.js";
import { startReplicaNode, type ReplicaNodeUnderTest } from "./replicaNode.js";

export const REPLICA_FEE = parseEther("0.01");

export interface RpcWorld {
  chain: HardhatNode;
  chainId: bigint;
  contracts: RingsContracts;
  /** Funded account 0: deploys, owns the rings, deposits credit. */
  deployer: Signer;
  owner: string;
  forwarder: ForwarderInfo;
  /** The client ring and its members (light avatars, connected to the chain but unfunded). */
  clientRing: string;
  avatars: Wallet[];
  keys: RingKeys;
  /** The replica ring: its Ring (whose members are the replica nodes) and its ReplicaRing contract. */
  replicaRingRing: string;
  replicaRing: string;
  replicaIdentities: RingIdentity[];
  replicaNodes: ReplicaNodeUnderTest[];
  /** An AvatarLog for avatar `i`, writing encrypted payloads under the client ring's read key. */
  avatarLog(index: number): AvatarLog;
  /** Registers the client ring with the replica ring through `node`, signed by avatar `registrant`. */
  replicate(node: ReplicaNodeUnderTest, registrant?: number): Promise<ReplicateRingResult>;
  stop(): Promise<void>;
}

export interface RpcWorldOptions {
  avatars?: number;
  replicaNodes?: number;
  /** Register the client ring through the first replica node. */
  register?: boolean;
  maxBatchSize?: number;
  maxBodyBytes?: number;
}

export async function buildRpcWorld(options: RpcWorldOptions = {}): Promise<RpcWorld> {
  const chain = await startHardhatNode();
  const stopping: (() => Promise<void>)[] = [() => chain.stop()];
  try {
    const deployer = chain.account(0);
    const chainId = (await chain.provider.getNetwork()).chainId;
    const contracts = await deployRingsContracts(deployer);
    const owner = await deployer.getAddress();
    const avatars = Array.from({ length: options.avatars ?? 4 }, () => new Wallet(hexlify(randomBytes(32)), chain.provider));
    const clientRing = await createRing(contracts.factory, avatars.map((avatar) => avatar.address), owner);
    const replicaIdentities = Array.from({ length: options.replicaNodes ?? 1 }, () => generateIdentity());
    const { ring: replicaRingRing, replicaRing } = await createReplicaRing(contracts.factory, replicaIdentities.map((identity) => identity.address), owner, REPLICA_FEE);
    // Replica nodes pay the gas of what they relay.
    await fund(deployer, replicaIdentities.map((identity) => identity.address), parseEther("100"));
    const forwarder = await readForwarderInfo(chain.provider, contracts.forwarder);
    const keys = generateRingKeys();

    const replicaNodes: ReplicaNodeUnderTest[] = [];
    for (const identity of replicaIdentities) {
      const settings: Parameters<typeof startReplicaNode>[0]["settings"] = { forwarder: contracts.forwarder, replicaRing };
      if (options.maxBatchSize !== undefined) settings.maxBatchSize = options.maxBatchSize;
      if (options.maxBodyBytes !== undefined) settings.maxBodyBytes = options.maxBodyBytes;
      const node = await startReplicaNode({ identity, provider: chain.provider, chainId, ownRing: replicaRingRing, settings });
      replicaNodes.push(node);
      stopping.push(() => node.stop());
    }

    const world: RpcWorld = {
      chain,
      chainId,
      contracts,
      deployer,
      owner,
      forwarder,
      clientRing,
      avatars,
      keys,
      replicaRingRing,
      replicaRing,
      replicaIdentities,
      replicaNodes,
      avatarLog: (index) => new AvatarLog({ signer: avatars[index] as Wallet, ring: clientRing, chainId, readKey: keys.readKey }),
      async replicate(node, registrant = 0) {
        const avatar = avatars[registrant] as Wallet;
        await (await ReplicaRing__factory.connect(replicaRing, deployer).deposit(avatar.address, { value: REPLICA_FEE })).wait();
        const request = await buildReplicateRing({
          signer: avatar,
          ring: clientRing,
          replicaRing,
          replicaKey: keys.replicaKey,
          forwarder,
          nonce: await nextForwarderNonce(chain.provider, contracts.forwarder, avatar.address),
        });
        return node.client.replicateRing(request);
      },
      async stop() {
        for (const stop of stopping.reverse()) await stop().catch(() => undefined);
      },
    };
    if (options.register === true) await world.replicate(replicaNodes[0] as ReplicaNodeUnderTest);
    return world;
  } catch (error) {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
