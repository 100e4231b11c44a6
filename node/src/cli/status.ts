/** `ring-node status`: own head, every member's head and replication lag, from the running node. */
import type { Command } from "commander";
import { resolve } from "node:path";
import { defaultDataDir } from "../config/config.js";
import { ControlClient } from "../control/client.js";
import type { NodeStatus } from "../status/status.js";

export function statusCommand(program: Command): void {
  program
    .command("status")
    .description("show the running node's own head, each member's head and the replication lag")
    .option("-d, --data-dir <dir>", "data directory (env RING_NODE_DATA_DIR, default ~/.ring-node)")
    .option("--json", "print the status as JSON")
    .action(async (flags: { dataDir?: string; json?: boolean }) => {
      const client = await ControlClient.forDataDir(resolve(flags.dataDir ?? defaultDataDir()));
      const status = await client.status<NodeStatus>();
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      process.stdout.write(formatStatus(status));
    });
}

export function formatStatus(status: NodeStatus): string {
  const lines = [
    `node     ${status.address}  (${status.peerId})`,
    `ring     ${status.ring} on chain ${status.chainId}, round ${status.round}`,
    `own head ${status.own === null ? "empty log" : `seq ${status.own.seq}  ${status.own.cid}`}`,
    `listen   ${status.multiaddrs.join(" ")}`,
    `refused  ${status.rejections} batches   forks seen ${status.forks}`,
    `keys     ${keysLine(status)}`,
    `relay    reached via ${status.relay.via.length === 0 ? "no relay" : status.relay.via.join(" ")}; reservations held here: ${status.relay.reservations.length}`,
    "",
    ["member", "", "held seq", "claimed seq", "lag", "on-chain head held", "connected"].join("\t"),
  ];
  for (const member of status.members) {
    lines.push(
      [
        member.address,
        member.self ? "(self)" : "",
        member.held?.seq ?? "-",
        member.claimed?.seq ?? "-",
        member.lag,
        member.onChain.held ? "yes" : "NO",
        member.connected ? "yes" : "no",
      ].join("\t"),
    );
  }
  if (status.replica !== undefined && status.replica.length > 0) {
    lines.push("", ["client ring", "member", "held seq", "caught up with chain", "error"].join("\t"));
    for (const followed of status.replica) {
      lines.push([followed.ring, followed.member, followed.held?.seq ?? "-", followed.caughtUp ? "yes" : "NO", followed.error ?? ""].join("\t"));
    }
  }
  if (status.keys !== undefined && status.keys.epochs.length > 0) {
    lines.push("", ["key epoch", "key ids", "held by (as far as known)"].join("\t"));
    for (const epoch of status.keys.epochs) lines.push([epoch.epoch, epoch.keyIds.join(" ") || "-", epoch.holders.join(" ")].join("\t"));
  }
  return `${lines.join("\n")}\n`;
}

function keysLine(status: NodeStatus): string {
  if (status.keys === undefined) return "not shown";
  if (status.keys.public) return "public ring: entries in the clear";
  const current = status.keys.current;
  return current === null ? "no read key yet (waiting for a member's key block)" : `epoch ${current.epoch}, key id ${current.keyId}`;
}
