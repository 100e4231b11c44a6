/**
 * The live rings' ring-node processes as the dashboard's explorer reads them: status and log
 * windows through each node's control endpoint, ReadMessages through a member's JSON-RPC endpoint
 * (the URL it wrote to `<dataDir>/jsonrpc.json`).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { RingsRpcClient } from "../../node/src/client/ringsRpcClient.js";
import { ControlClient } from "../../node/src/control/client.js";
import { EXPLORER_LIMITS, type ExplorerNode } from "../../node/src/dashboard/explorerData.js";
import type { RawLog } from "../../node/src/dashboard/explorerEntries.js";
import { JSONRPC_FILE } from "../../node/src/rpc/jsonRpcService.js";
import type { NodeStatus } from "../../node/src/status/status.js";
import type { LiveNode } from "./liveRings.js";

/** The JSON-RPC URL the node's current process wrote (null: it serves none, or has not yet). */
export async function jsonRpcUrlOf(node: LiveNode): Promise<string | null> {
  try {
    const info = JSON.parse(await readFile(path.join(node.dataDir, JSONRPC_FILE), "utf8")) as { url: string; pid: number };
    return info.pid === node.process.child.pid ? info.url : null;
  } catch {
    return null;
  }
}

export function explorerNode(node: LiveNode): ExplorerNode {
  const control = new ControlClient(node.process.info, EXPLORER_LIMITS.timeoutMs);
  const explorer: ExplorerNode = {
    name: node.name,
    role: node.role,
    address: node.address,
    status: () => control.status<NodeStatus>(),
    log: (author, from, limit) => control.log<RawLog>(author, from, limit),
  };
  if (node.role === "member") {
    explorer.readMessages = async (request, signal) => {
      const url = await jsonRpcUrlOf(node);
      if (url === null) throw new Error(`${node.name} has no JSON-RPC endpoint`);
      return new RingsRpcClient(url, { timeoutMs: EXPLORER_LIMITS.timeoutMs }).readMessages(request, { signal });
    };
  }
  return explorer;
}
