/**
 * A ring of `ring-node` processes with rounds on: a hardhat node, the Rings contracts, a Gate that
 * accepts the ring's outputs, and each member's jobs client. Members are started one after the
 * other, each given the earlier ones as peers.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Gate__factory } from "../../types/index.js";
import { JobsClient, type JobsRpcInfo } from "../../node/src/rounds/jobsClient.js";
import { REPO_ROOT } from "./paths.js";
import { waitFor } from "./processes.js";
import { initRingNode, RingNodeProcess } from "./ringNodeProcess.js";
import { createRing, fund } from "./ringsOnChain.js";
import { startTestRing, type TestRing, type TestRingOptions } from "./ringOfNodes.js";

export interface RoundsMember {
  index: number;
  address: string;
  node: RingNodeProcess | null;
  jobs: JobsClient | null;
}

export interface RoundsRing {
  ring: TestRing;
  /**
   * A second ring of `count` new members on the same chain (and the same Gate), its nodes dialing
   * this ring's running nodes so blocks (such as this ring's outputs) can be fetched from them.
   */
  startSecondRing(count: number, label: string): Promise<{ ring: string; members: RoundsMember[]; jobsOf(index: number): JobsClient }>;
  gate: string;
  members: RoundsMember[];
  /** Starts (or restarts) member `index` with rounds, optionally with extra environment (faults). */
  start(index: number, env?: NodeJS.ProcessEnv): Promise<RoundsMember>;
  /** kill -9 of member `index`. */
  kill(index: number): Promise<void>;
  jobsOf(index: number): JobsClient;
  /** Writes each running member's collected logs to test-output/rounds/<title>/ (for a failed test). */
  saveLogs(title: string): Promise<string>;
  cleanup(): Promise<void>;
}

const TEST_OUTPUT = join(REPO_ROOT, "test-output");

/** Timeouts short enough for tests; the defaults are for real networks. */
export const FAST_ROUNDS_ENV: NodeJS.ProcessEnv = {
  RING_NODE_RELAYER_TIMEOUT_MS: "2500",
  RING_NODE_SHARD_TIMEOUT_MS: "2000",
  RING_NODE_CHAIN_POLL_MS: "200",
  RING_NODE_HEAD_EXCHANGE_MS: "1000",
  RING_NODE_FETCH_TIMEOUT_MS: "3000",
};

/** The jobs client of a started node (URL and token written by its rounds service). */
async function jobsClientOf(dataDir: string, node: RingNodeProcess): Promise<JobsClient> {
  return waitFor(
    "jobs endpoint",
    async () => {
      const info = JSON.parse(await readFile(join(dataDir, "jobs-rpc.json"), "utf8")) as JobsRpcInfo;
      return info.pid === node.child.pid ? new JobsClient(info.url, info.token) : undefined;
    },
    60_000,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${node.rawOutput}\n${node.logs.slice(-20).map((l) => JSON.stringify(l)).join("\n")}`);
  });
}

export async function startRoundsRing(count: number, label: string, extraEnv: NodeJS.ProcessEnv = {}, options: TestRingOptions = {}): Promise<RoundsRing> {
  const ring = await startTestRing(count, label, options);
  try {
    const deployer = ring.chain.account(0);
    await (await Gate__factory.connect(ring.contracts.gate, deployer).setAuthorized(ring.ring, true)).wait();
    const members: RoundsMember[] = ring.members.map((m, index) => ({ index, address: m.address, node: null, jobs: null }));
    const roundsRing: RoundsRing = {
      ring,
      gate: ring.contracts.gate,
      members,
      async start(index, env = {}) {
        const member = members[index];
        if (member === undefined) throw new Error(`no member ${index}`);
        // A member behind a relay has no address of its own at start: the others find it on chain.
        const peers = members.filter((m) => m.node !== null && m.index !== index).flatMap((m) => (m.node as RingNodeProcess).info.multiaddrs.slice(0, 1));
        const node = await ring.start(index, { peers, env: { ...FAST_ROUNDS_ENV, RING_NODE_GATE: ring.contracts.gate, ...extraEnv, ...env } });
        const dataDir = ring.members[index]?.dataDir as string;
        const jobs = await jobsClientOf(dataDir, node);
        member.node = node;
        member.jobs = jobs;
        return member;
      },
      async kill(index) {
        const member = members[index];
        if (member?.node == null) return;
        await member.node.kill();
        member.node = null;
        member.jobs = null;
      },
      jobsOf(index) {
        const jobs = members[index]?.jobs;
        if (jobs == null) throw new Error(`member ${index} is not running`);
        return jobs;
      },
      async startSecondRing(count, label) {
        const dataDirs = await Promise.all(Array.from({ length: count }, (_, i) => ring.dirs.make(`${label}-m${i}`)));
        const identities = await Promise.all(dataDirs.map((dir) => initRingNode(dir)));
        const address = await createRing(ring.contracts.factory, identities.map((id) => id.address), await deployer.getAddress());
        await fund(deployer, identities.map((id) => id.address));
        await (await Gate__factory.connect(ring.contracts.gate, deployer).setAuthorized(address, true)).wait();
        const second: RoundsMember[] = [];
        for (const [index, dataDir] of dataDirs.entries()) {
          const peers = [...members, ...second].filter((m) => m.node !== null).map((m) => (m.node as RingNodeProcess).multiaddr);
          const node = await RingNodeProcess.start({ dataDir, rpcUrl: ring.chain.url, ring: address, peers, env: { ...FAST_ROUNDS_ENV, RING_NODE_GATE: ring.contracts.gate, RING_NODE_FACTORY: await ring.contracts.factory.getAddress(), ...extraEnv } });
          ring.running.add(node);
          const jobs = await jobsClientOf(dataDir, node);
          second.push({ index, address: identities[index]?.address as string, node, jobs });
        }
        return {
          ring: address,
          members: second,
          jobsOf: (index) => {
            const jobs = second[index]?.jobs;
            if (jobs == null) throw new Error(`second ring member ${index} is not running`);
            return jobs;
          },
        };
      },
      async saveLogs(title) {
        const dir = join(TEST_OUTPUT, "rounds", title.replace(/[^a-z0-9]+/gi, "-").slice(0, 80));
        await mkdir(dir, { recursive: true });
        for (const member of members) {
          if (member.node === null) continue;
          const lines = member.node.logs.map((line) => JSON.stringify(line)).join("\n");
          await writeFile(join(dir, `member-${member.index}.log`), `${lines}\n${member.node.rawOutput}`);
        }
        return dir;
      },
      async cleanup() {
        await ring.cleanup();
      },
    };
    return roundsRing;
  } catch (error) {
    await ring.cleanup();
    throw error;
  }
}
