/**
 * Services that run inside `ring-node start` next to replication (rounds, JSON-RPC, metrics...).
 * Each receives the started RingNode and returns how to stop it. Add yours to `defaultPlugins`.
 */
import { metricsPlugin } from "../metrics/metricsPlugin.js";
import { roundsService, roundsSettingsFromEnv } from "../rounds/roundsService.js";
import { rpcPlugin } from "../rpc/rpcPlugin.js";
import type { RingNode } from "./ringNode.js";

export interface RingNodePlugin {
  name: string;
  start(node: RingNode): Promise<{ stop(): Promise<void> } | void>;
}

/** TEMPORARY shim (wt-rounds) until the lead's MemberNode starts `roundsService` itself: drop at merge. */
const roundsPlugin: RingNodePlugin = {
  name: "rounds",
  start: async (node) => {
    const rounds = roundsService(roundsSettingsFromEnv())({
      config: node.config,
      logger: node.logger,
      signer: node.identity,
      chain: node.chain,
      streams: node.helia.libp2p,
      helia: node.helia,
      blocks: node.store.blockstore,
      logs: node.store,
      ownLog: node.log,
      replicator: node.replicator,
    });
    await rounds.start();
    return { stop: () => rounds.stop() };
  },
};

export const defaultPlugins: RingNodePlugin[] = [roundsPlugin, rpcPlugin, metricsPlugin];

/** Starts the plugins in order; each one's stop runs when the node stops. */
export async function startPlugins(node: RingNode, plugins: readonly RingNodePlugin[]): Promise<void> {
  for (const plugin of plugins) {
    const started = await plugin.start(node);
    if (started !== undefined) node.onStop(() => started.stop());
    node.logger.info({ plugin: plugin.name }, "plugin started");
  }
}
