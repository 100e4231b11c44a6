/** `ring-node start`: runs the node until SIGINT/SIGTERM. */
import type { Command } from "commander";
import { resolveConfig } from "../config/config.js";
import { loadKeystore } from "../identity/keystore.js";
import { resolvePassword } from "../identity/password.js";
import { createLogger } from "../logging.js";
import { addNodeOptions, flagsToConfig } from "./options.js";

export function startCommand(program: Command): void {
  addNodeOptions(program.command("start"))
    .description("run the ring node: keep the own log, replicate every member's log, serve the ring")
    .action(async (flags: Record<string, unknown>, command: Command) => {
      const config = await resolveConfig(flagsToConfig(flags, command));
      const identity = await loadKeystore(config.dataDir, await resolvePassword());
      const logger = createLogger({ level: config.logLevel, base: { node: identity.address } });
      // Loaded here, not at the top: the other commands start without Helia, libp2p and the plugins.
      const [{ RingNode }, { startControlServer }, { defaultPlugins, startPlugins }] = await Promise.all([
        import("../runtime/ringNode.js"),
        import("../control/server.js"),
        import("../runtime/plugins.js"),
      ]);
      const node = await RingNode.start({ config, identity, logger });
      const control = await startControlServer(node, config.controlPort);
      node.onStop(() => control.stop());
      await startPlugins(node, defaultPlugins);
      logger.info(
        { address: identity.address, peerId: identity.peerId.toString(), ring: node.chain.ring, chainId: node.chain.chainId.toString(), multiaddrs: node.multiaddrs(), control: control.info.url, own: node.log.head()?.seq ?? null },
        "ring node started",
      );
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          logger.info({ signal }, "stopping");
          resolve();
        };
        process.once("SIGINT", () => shutdown("SIGINT"));
        process.once("SIGTERM", () => shutdown("SIGTERM"));
      });
      await node.stop();
      logger.info("stopped");
    });
}
