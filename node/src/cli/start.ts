/** `ring-node start`: runs the node until SIGINT/SIGTERM. */
import type { Command } from "commander";
import { resolveConfig } from "../config/config.js";
import { ensurePrivateDir } from "../config/privateDir.js";
import { loadKeystore } from "../identity/keystore.js";
import { resolvePassword } from "../identity/password.js";
import { createLogger } from "../logging.js";
import { addNodeOptions, flagsToConfig } from "./options.js";
import { installProcessGuards } from "./processGuards.js";

export function startCommand(program: Command): void {
  addNodeOptions(program.command("start"))
    .description("run the ring node: keep the own log, replicate every member's log, serve the ring")
    .action(async (flags: Record<string, unknown>, command: Command) => {
      const config = await resolveConfig(flagsToConfig(flags, command));
      await ensurePrivateDir(config.dataDir);
      const identity = await loadKeystore(config.dataDir, await resolvePassword());
      const logger = createLogger({ level: config.logLevel, base: { node: identity.address } });
      let running: { stop(): Promise<void> } | null = null;
      installProcessGuards({ logger, stop: async () => running?.stop() });
      // Loaded here, not at the top: the other commands start without Helia, libp2p and the services.
      const [{ MemberNode }, { defaultServices }] = await Promise.all([import("../runtime/memberNode.js"), import("../runtime/services.js")]);
      const node = await MemberNode.start({ config, identity, logger, services: defaultServices(config) });
      running = node;
      const { chain, ownLog } = node.components;
      logger.info(
        { address: identity.address, peerId: identity.peerId.toString(), ring: chain.ring, chainId: chain.chainId.toString(), multiaddrs: node.multiaddrs(), control: node.services.control.info?.url, own: ownLog.head()?.seq ?? null },
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
