/**
 * A whole test ring: a hardhat node, the Rings contracts, `count` initialised ring-node data
 * directories whose avatars are the ring's (funded) members, and helpers to start them.
 */
import { startHardhatNode, type HardhatNode } from "./hardhatNode.js";
import { createBlsRing, createRing, deployRingsContracts, fund, type RingsContracts } from "./ringsOnChain.js";
import { initRingNode, RingNodeProcess, type StartOptions } from "./ringNodeProcess.js";
import { tempDirs, type TempDirs } from "./tempDir.js";

export interface TestMember {
  address: string;
  peerId: string;
  dataDir: string;
}

export interface TestRing {
  chain: HardhatNode;
  contracts: RingsContracts;
  ring: string;
  members: TestMember[];
  dirs: TempDirs;
  running: Set<RingNodeProcess>;
  /** Starts member `index`'s node (tracked for cleanup). */
  start(index: number, options?: Partial<StartOptions>): Promise<RingNodeProcess>;
  /** Kills every node still running, stops the chain and removes the data directories. */
  cleanup(): Promise<void>;
}

export interface TestRingOptions {
  /** Members without a ring-node data directory (keys held by the test itself). */
  extraMembers?: string[];
  /** "bls": a BlsRing (RingFactory.createBlsRing) instead of a Ring. */
  scheme?: "ecdsa" | "bls";
}

export async function startTestRing(count: number, label = "ring", options: TestRingOptions = {}): Promise<TestRing> {
  const dirs = tempDirs(`rings-${label}`);
  const chain = await startHardhatNode();
  try {
    const deployer = chain.account(0);
    const contracts = await deployRingsContracts(deployer);
    const members = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const dataDir = await dirs.make(`m${i}`);
        return { ...(await initRingNode(dataDir)), dataDir };
      }),
    );
    const addresses = [...members.map((m) => m.address), ...(options.extraMembers ?? [])];
    const ring = await (options.scheme === "bls" ? createBlsRing : createRing)(contracts.factory, addresses, await deployer.getAddress());
    await fund(deployer, addresses);
    const running = new Set<RingNodeProcess>();
    return {
      chain,
      contracts,
      ring,
      members,
      dirs,
      running,
      async start(index, options = {}) {
        const member = members[index];
        if (member === undefined) throw new Error(`no member ${index}`);
        // The factory: members serve their blocks to the replica rings the ring registers with.
        const env = { RING_NODE_FACTORY: await contracts.factory.getAddress(), ...options.env };
        const node = await RingNodeProcess.start({ dataDir: member.dataDir, rpcUrl: chain.url, ring, ...options, env });
        running.add(node);
        void node.child.once("exit", () => running.delete(node));
        return node;
      },
      async cleanup() {
        await Promise.all([...running].map((node) => node.kill()));
        await chain.stop();
        await dirs.cleanup();
      },
    };
  } catch (error) {
    await chain.stop();
    await dirs.cleanup();
    throw error;
  }
}
