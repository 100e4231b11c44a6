/**
 * The JSON-RPC service inside `ring-node start`: FlushToRing, ReplicateRing, GetFlushStatus and
 * GetReplicaLog on HTTP, with its URL written to `<dataDir>/jsonrpc.json`. Settings from the
 * environment:
 *   RING_NODE_JSONRPC              "off" disables the service (default on)
 *   RING_NODE_JSONRPC_HOST         listen address (default 127.0.0.1; 0.0.0.0 to serve other hosts)
 *   RING_NODE_JSONRPC_PORT         port (default 0: any free port)
 *   RING_NODE_JSONRPC_MAX_BODY     body size limit in bytes (default 1 MiB)
 *   RING_NODE_JSONRPC_RELAY_WAIT_MS how long FlushToRing waits for its relay before answering
 *                                  "received" (default 30000; GetFlushStatus tells the rest)
 *   RING_NODE_FORWARDER            the ERC-2771 forwarder (default: the one the node's ring trusts)
 *   RING_NODE_REPLICA_RING         the ReplicaRing contract this node's ring serves: its registered
 *                                  client rings are followed and replicated
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Contract, getAddress } from "ethers";
import type { RingNodePlugin } from "../runtime/plugins.js";
import type { RingNode } from "../runtime/ringNode.js";
import { createNodeRpc, type NodeRpcSettings } from "./nodeRpc.js";
import type { RingRpcService } from "./ringRpcServer.js";

export const JSONRPC_FILE = "jsonrpc.json";

export interface RpcPluginSettings {
  enabled: boolean;
  host: string;
  port: number;
  maxBodyBytes: number | undefined;
  relayWaitMs: number | undefined;
  forwarder: string | undefined;
  replicaRing: string | undefined;
}

function optionalAddress(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : getAddress(value);
}

function optionalInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return parsed;
}

export function rpcSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RpcPluginSettings {
  return {
    enabled: !/^(off|false|0|no)$/i.test(env.RING_NODE_JSONRPC ?? ""),
    host: env.RING_NODE_JSONRPC_HOST === undefined || env.RING_NODE_JSONRPC_HOST === "" ? "127.0.0.1" : env.RING_NODE_JSONRPC_HOST,
    port: optionalInteger(env, "RING_NODE_JSONRPC_PORT") ?? 0,
    maxBodyBytes: optionalInteger(env, "RING_NODE_JSONRPC_MAX_BODY"),
    relayWaitMs: optionalInteger(env, "RING_NODE_JSONRPC_RELAY_WAIT_MS"),
    forwarder: optionalAddress(env, "RING_NODE_FORWARDER"),
    replicaRing: optionalAddress(env, "RING_NODE_REPLICA_RING"),
  };
}

/** Starts the JSON-RPC service on a running node; resolves with the service and its URL. */
export async function startNodeRpc(node: RingNode, settings: RpcPluginSettings = rpcSettingsFromEnv()): Promise<{ service: RingRpcService; url: string; stop(): Promise<void> }> {
  const forwarder =
    settings.forwarder ?? getAddress((await new Contract(node.chain.ring, ["function trustedForwarder() view returns (address)"], node.chain.provider).getFunction("trustedForwarder").staticCall()) as string);
  const rpcSettings: NodeRpcSettings = { forwarder, host: settings.host, port: settings.port, fetchTimeoutMs: node.config.fetchTimeoutMs };
  if (settings.replicaRing !== undefined) rpcSettings.replicaRing = settings.replicaRing;
  if (settings.maxBodyBytes !== undefined) rpcSettings.maxBodyBytes = settings.maxBodyBytes;
  if (settings.relayWaitMs !== undefined) rpcSettings.relayWaitMs = settings.relayWaitMs;
  const service = createNodeRpc(
    {
      identity: node.identity,
      provider: node.chain.provider,
      ownLog: node.log,
      blockstore: node.store.blockstore,
      datastore: node.store.datastore,
      helia: node.helia,
      dataDir: node.config.dataDir,
      logger: node.logger.child({ component: "jsonrpc" }),
    },
    rpcSettings,
  );
  const url = await service.start();
  const file = join(node.config.dataDir, JSONRPC_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify({ url, pid: process.pid, address: node.identity.address, forwarder, replicaRing: settings.replicaRing ?? null }, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return {
    service,
    url,
    stop: async () => {
      await rm(file, { force: true });
      await service.close();
    },
  };
}

export const rpcPlugin: RingNodePlugin = {
  name: "jsonrpc",
  start: async (node) => {
    const settings = rpcSettingsFromEnv();
    if (!settings.enabled) return;
    const running = await startNodeRpc(node, settings);
    return { stop: () => running.stop() };
  },
};
