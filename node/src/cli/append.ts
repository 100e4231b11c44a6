/** `ring-node append <json>`: appends a payload to the running node's own log. */
import type { Command } from "commander";
import { resolve } from "node:path";
import { defaultDataDir } from "../config/config.js";
import { ControlClient } from "../control/client.js";

export function appendCommand(program: Command): void {
  program
    .command("append <payload>")
    .description("append a JSON payload to this member's own log (durable, then announced)")
    .option("-d, --data-dir <dir>", "data directory (env RING_NODE_DATA_DIR, default ~/.ring-node)")
    .option("--count <n>", "append the payload n times (each with an `i` index when it is an object)", (v) => Number(v), 1)
    .action(async (payloadText: string, flags: { dataDir?: string; count: number }) => {
      let payload: unknown;
      try {
        payload = JSON.parse(payloadText);
      } catch {
        payload = payloadText;
      }
      const client = await ControlClient.forDataDir(resolve(flags.dataDir ?? defaultDataDir()));
      for (let i = 0; i < flags.count; i++) {
        const item = flags.count > 1 && payload !== null && typeof payload === "object" && !Array.isArray(payload) ? { ...payload, i } : payload;
        const appended = await client.append(item);
        process.stdout.write(`${appended.seq}\t${appended.cid}\n`);
      }
    });
}
