/**
 * A ring of `ring-node` processes with rounds on: a hardhat node, the Rings contracts, a Gate that
 * accepts the ring's outputs, and each member's jobs client. Members are started one after the
 * other, each given the earlier ones as peers.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Gate__factory } from "../../../../types/index.js";
import { JobsClient } from "../../../../node/src/rounds/jobsClient.js";
import { waitFor } from "../../helpers/processes.js";
import type { RingNodeProcess } from "../../helpers/ringNodeProcess.js";
import { startTestRing, type TestRing } from "../../helpers/ringOfNodes.js";

export interface RoundsMember {
  index: number;
  address: string;
  node: RingNodeProcess | null;
  jobs: JobsClient | null;
}

export interface RoundsRing {
  ring: TestRing;
  gate: string;
  members: RoundsMember[];
  /** Starts (or restarts) member `index` with rounds, optionally with extra environment (faults). */
  start(index: number, env?: NodeJS.ProcessEnv): Promise<RoundsMember>;
  /** kill -9 of member `index`. */
  kill(index: number): Promise<void>;
  jobsOf(index: number): JobsClient;
  cleanup(): Promise<void>;
}

/** Timeouts short enough for tests; the defaults are for real networks. */
export const FAST_ROUNDS_ENV: NodeJS.ProcessEnv = {
  RING_NODE_RELAYER_TIMEOUT_MS: "2500",
  RING_NODE_SHARD_TIMEOUT_MS: "2000",
  RING_NODE_CHAIN_POLL_MS: "200",
  RING_NODE_HEAD_EXCHANGE_MS: "1000",
  RING_NODE_FETCH_TIMEOUT_MS: "3000",
};

export async function startRoundsRing(count: number, label: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<RoundsRing> {
  const ring = await startTestRing(count, label);
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
        const peers = members.filter((m) => m.node !== null && m.index !== index).map((m) => (m.node as RingNodeProcess).multiaddr);
        const node = await ring.start(index, { peers, env: { ...FAST_ROUNDS_ENV, RING_NODE_GATE: ring.contracts.gate, ...extraEnv, ...env } });
        const dataDir = ring.members[index]?.dataDir as string;
        const url = await waitFor(
          "jobs endpoint",
          async () => {
            const info = JSON.parse(await readFile(join(dataDir, "jobs-rpc.json"), "utf8")) as { url: string; pid: number };
            return info.pid === node.child.pid ? info.url : undefined;
          },
          60_000,
        ).catch((error: unknown) => {
          throw new Error(`${(error as Error).message}\n${node.rawOutput}\n${node.logs.slice(-20).map((l) => JSON.stringify(l)).join("\n")}`);
        });
        member.node = node;
        member.jobs = new JobsClient(url);
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
