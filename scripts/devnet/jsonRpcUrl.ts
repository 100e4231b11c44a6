/**
 * The JSON-RPC URL a running `ring-node` process wrote to `<dataDir>/jsonrpc.json`, waited for
 * until the file names that process (a file left by an earlier process of the same data dir does
 * not count).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { JSONRPC_FILE } from "../../node/src/rpc/jsonRpcService.js";
import { waitFor } from "./processes.js";
import type { RoundsRing } from "./roundsRing.js";

export async function jsonRpcUrlAt(dataDir: string, pid: number | undefined, timeoutMs = 30_000): Promise<string> {
  return waitFor(
    "jsonrpc.json",
    async () => {
      const info = JSON.parse(await readFile(join(dataDir, JSONRPC_FILE), "utf8")) as { url: string; pid: number };
      return info.pid === pid ? info.url : undefined;
    },
    timeoutMs,
  );
}

/** The JSON-RPC URL of member `index` of a rounds ring, from its running process. */
export function memberJsonRpcUrl(world: RoundsRing, index: number): Promise<string> {
  return jsonRpcUrlAt(world.ring.members[index]?.dataDir as string, world.members[index]?.node?.child.pid);
}
