/** `ring-node init`: creates the avatar key in an encrypted keystore and writes config.json. */
import type { Command } from "commander";
import { resolve } from "node:path";
import { defaultDataDir, mergeConfig, readConfigFile, writeConfigFile } from "../config/config.js";
import { createKeystore, keystorePath } from "../identity/keystore.js";
import { resolvePassword } from "../identity/password.js";
import { addNodeOptions, flagsToConfig } from "./options.js";

export function initCommand(program: Command): void {
  addNodeOptions(program.command("init"))
    .description("create this node's avatar key (secp256k1: Ethereum address = libp2p PeerId) and its config")
    .option("--private-key-env <name>", "import the key from this environment variable (0x-hex) instead of generating one")
    .option("--json", "print the result as JSON")
    .action(async (flags: Record<string, unknown>, command: Command) => {
      const settings = flagsToConfig(flags, command);
      const dataDir = resolve(settings.dataDir ?? defaultDataDir());
      const password = await resolvePassword({ confirm: true });
      const keyVariable = flags.privateKeyEnv as string | undefined;
      const privateKey = keyVariable === undefined ? undefined : process.env[keyVariable];
      if (keyVariable !== undefined && (privateKey === undefined || privateKey === "")) throw new Error(`environment variable ${keyVariable} is empty`);
      const identity = await createKeystore(dataDir, password, { privateKey });
      await writeConfigFile(dataDir, mergeConfig(await readConfigFile(dataDir), settings));
      const result = { address: identity.address, peerId: identity.peerId.toString(), dataDir, keystore: keystorePath(dataDir) };
      if (flags.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`address  ${result.address}\npeerId   ${result.peerId}\nkeystore ${result.keystore}\n`);
    });
}
