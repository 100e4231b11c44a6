/**
 * The rounds inside `ring-node start`: the sandbox, the round engine and the job service, plus a
 * JSON-RPC endpoint for `SubmitJob` / `GetJob` on 127.0.0.1 whose URL is written to
 * `<dataDir>/jobs-rpc.json` (the `submit` command reads it). Settings come from the environment:
 *   RING_NODE_GATE                 Gate for outputs (default: none, rounds carry no on-chain outputs)
 *   RING_NODE_JOBS_PORT            port of the jobs endpoint (default 0: any free port)
 *   RING_NODE_RELAYER_TIMEOUT_MS   next relayer after this long without a flush (default 4000)
 *   RING_NODE_SHARD_TIMEOUT_MS     one more member per shard after this long without majority (default 3000)
 *   RING_NODE_FAULT                TEST ONLY, see faults.ts
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { getAddress } from "ethers";
import type { BlockSource } from "../compute/blocks.js";
import { Sandbox } from "../compute/sandbox.js";
import { fetchBlock } from "../replication/bitswapFetch.js";
import { RpcDispatcher } from "../jsonrpc/dispatcher.js";
import { JsonRpcHttpServer } from "../jsonrpc/httpServer.js";
import type { RingNodePlugin } from "../runtime/plugins.js";
import type { RingNode } from "../runtime/ringNode.js";
import { SandboxCompute } from "./computeLayer.js";
import { faultsFromEnv, wrongResults } from "./faults.js";
import type { JobCompute } from "./jobCompute.js";
import { jobRpcMethods } from "./jobRpc.js";
import { JobService } from "./jobService.js";
import { ZERO_ADDRESS } from "./roundContent.js";
import { RoundEngine } from "./roundEngine.js";

export const JOBS_RPC_FILE = "jobs-rpc.json";

export interface RoundsSettings {
  gate: string;
  jobsPort: number;
  relayerTimeoutMs: number;
  shardTimeoutMs: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return parsed;
}

export function roundsSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RoundsSettings {
  return {
    gate: getAddress(env.RING_NODE_GATE === undefined || env.RING_NODE_GATE === "" ? ZERO_ADDRESS : env.RING_NODE_GATE),
    jobsPort: integer(env, "RING_NODE_JOBS_PORT", 0),
    relayerTimeoutMs: integer(env, "RING_NODE_RELAYER_TIMEOUT_MS", 4_000),
    shardTimeoutMs: integer(env, "RING_NODE_SHARD_TIMEOUT_MS", 3_000),
  };
}

export interface RunningRounds {
  engine: RoundEngine;
  jobs: JobService;
  url: string;
  stop(): Promise<void>;
}

/** Starts the rounds on a running node. */
export async function startRounds(node: RingNode, settings: RoundsSettings = roundsSettingsFromEnv()): Promise<RunningRounds> {
  const faults = faultsFromEnv();
  const sandbox = new Sandbox({ workers: 1 });
  await sandbox.warm();
  const blocks: BlockSource = {
    get: async (cid, options) =>
      (await node.store.blockstore.readBytes(cid)) ?? fetchBlock(node.helia, cid, { timeoutMs: node.config.fetchTimeoutMs, signal: options?.signal }),
  };
  let compute: JobCompute = new SandboxCompute(sandbox, blocks, (cid, bytes) => node.store.blockstore.putBytes(cid, bytes));
  if (faults.has("wrong-results")) compute = wrongResults(compute);
  if (faults.size > 0) node.logger.warn({ faults: [...faults] }, "TEST-ONLY FAULTS ENABLED (RING_NODE_FAULT)");
  const engine = new RoundEngine(node, { compute, gate: settings.gate, relayerTimeoutMs: settings.relayerTimeoutMs, shardTimeoutMs: settings.shardTimeoutMs, faults });
  await engine.start();
  const jobs = new JobService(node, engine, compute, settings.gate);
  const http = new JsonRpcHttpServer({ dispatcher: new RpcDispatcher(jobRpcMethods(jobs), node.logger), port: settings.jobsPort });
  const url = await http.listen();
  const file = join(node.config.dataDir, JOBS_RPC_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify({ url, pid: process.pid, address: node.identity.address }, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  node.logger.info({ url, gate: settings.gate }, "rounds started; jobs endpoint listening");
  return {
    engine,
    jobs,
    url,
    stop: async () => {
      await rm(file, { force: true });
      await http.close();
      await engine.stop();
      await compute.close();
    },
  };
}

export const roundsPlugin: RingNodePlugin = {
  name: "rounds",
  start: async (node) => {
    const running = await startRounds(node);
    return { stop: () => running.stop() };
  },
};
