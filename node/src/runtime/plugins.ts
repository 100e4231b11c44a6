/**
 * Services that run inside `ring-node start` next to replication (rounds, JSON-RPC, metrics...).
 * Each receives the started RingNode and returns how to stop it. Add yours to `defaultPlugins`.
 */
import { metricsPlugin } from "../metrics/metricsPlugin.js";
import { roundsPlugin } from "../rounds/roundsPlugin.js";
import { rpcPlugin } from "../rpc/rpcPlugin.js";
import type { RingNode } from "./ringNode.js";

export interface RingNodePlugin {
  name: string;
  start(node: RingNode): Promise<{ stop(): Promise<void> } | void>;
}

export const defaultPlugins: RingNodePlugin[] = [roundsPlugin, rpcPlugin, metricsPlugin];

/** Starts the plugins in order; each one's stop runs when the node stops. */
export async function startPlugins(node: RingNode, plugins: readonly RingNodePlugin[]): Promise<void> {
  for (const plugin of plugins) {
    const started = await plugin.start(node);
    if (started !== undefined) node.onStop(() => started.stop());
    node.logger.info({ plugin: plugin.name }, "plugin started");
  }
}
