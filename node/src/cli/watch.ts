/**
 * `ring-node watch`: follows the running node and prints what changes — new rounds, members' heads
 * (own appends and replicated ones), lag, peers, refused batches and forks — one line per change,
 * until Ctrl-C (or `--count` changes, for scripts).
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { defaultDataDir } from "../config/config.js";
import { ControlClient } from "../control/client.js";
import type { NodeStatus } from "../status/status.js";

/** The lines that describe how `next` differs from `previous` (everything, the first time). */
export function describeChanges(previous: NodeStatus | null, next: NodeStatus): string[] {
  const lines: string[] = [];
  if (previous?.round !== next.round) lines.push(`round ${next.round} flushed on chain`);
  if (previous?.peers.length !== next.peers.length) lines.push(`${next.peers.length} peers connected`);
  if ((previous?.rejections ?? 0) !== next.rejections) lines.push(`${next.rejections} batches refused so far`);
  if ((previous?.forks ?? 0) !== next.forks) lines.push(`${next.forks} forked logs kept as evidence`);
  for (const member of next.members) {
    const before = previous?.members.find((m) => m.address === member.address);
    const seq = member.held?.seq ?? -1;
    if (before === undefined || (before.held?.seq ?? -1) !== seq || before.lag !== member.lag) {
      const who = member.self ? `${member.address} (self)` : member.address;
      lines.push(`${who} head seq ${seq < 0 ? "-" : seq}${member.held === null ? "" : ` ${member.held.cid}`} lag ${member.lag}`);
    }
  }
  return lines;
}

export function watchCommand(program: Command): void {
  program
    .command("watch")
    .description("follow the running node: rounds, members' heads, lag, peers, refusals and forks as they change")
    .option("-d, --data-dir <dir>", "data directory (env RING_NODE_DATA_DIR, default ~/.ring-node)")
    .option("--interval-ms <ms>", "how often to ask the node", (v) => Number(v), 500)
    .option("--count <n>", "stop after this many changes (default: until Ctrl-C)", (v) => Number(v))
    .action(async (flags: { dataDir?: string; intervalMs: number; count?: number }) => {
      const client = await ControlClient.forDataDir(resolve(flags.dataDir ?? defaultDataDir()));
      let previous: NodeStatus | null = null;
      let printed = 0;
      for (;;) {
        const next = await client.status<NodeStatus>();
        for (const line of describeChanges(previous, next)) {
          process.stdout.write(`${new Date().toISOString()}  ${line}\n`);
          printed += 1;
          if (flags.count !== undefined && printed >= flags.count) return;
        }
        previous = next;
        await new Promise((done) => setTimeout(done, flags.intervalMs));
      }
    });
}
