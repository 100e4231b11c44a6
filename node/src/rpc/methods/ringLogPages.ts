/**
 * Where GetReplicaLog reads a log from. A replica node serves its client rings' member logs from
 * the replica store; a member node also serves its own ring's member logs, from its log store,
 * to the ring's members (GetReplicaLog's member-signed auth): a reader replays the ring from any
 * member as it does from a replica (client/replicaReplay.ts: every node verified, every round's cut
 * checked against the chain), so what a member leaves out of ReadMessages is caught there too.
 */
import { getAddress } from "ethers";
import type { CID } from "multiformats/cid";
import type { LogStore } from "../../log/store.js";
import type { ReplicaHead, ReplicaLogPage, ReplicaStore } from "../../replica/replicaStore.js";

export type LogPages = Pick<ReplicaStore, "head" | "readPage">;

export interface OwnRingLogs {
  ring: string;
  logs: Pick<LogStore, "head" | "nodeAt" | "readNode" | "holds">;
}

function sameAddress(a: string, b: string): boolean {
  try {
    return getAddress(a) === getAddress(b);
  } catch {
    return false;
  }
}

/** The replica store's pages, and for `own.ring` the log store's. */
export function ringLogPages(replica: LogPages, own: OwnRingLogs | undefined): LogPages {
  if (own === undefined) return replica;
  const isOwn = (ring: string) => sameAddress(ring, own.ring);
  return {
    async head(ring: string, member: string): Promise<ReplicaHead | null> {
      if (!isOwn(ring)) return replica.head(ring, member);
      const head = own.logs.head(member);
      return head === null ? null : { cid: head.cid, seq: head.seq };
    },
    async readPage(ring, member, options): Promise<ReplicaLogPage> {
      if (!isOwn(ring)) return replica.readPage(ring, member, options);
      let seq = options.from === undefined ? (own.logs.head(member)?.seq ?? -1) : await seqOf(own.logs, member, options.from);
      const page: ReplicaLogPage = { nodes: [], next: null };
      let bytes = 0;
      for (; seq >= 0 && (options.sinceSeq === undefined || seq > options.sinceSeq); seq--) {
        const node = await own.logs.nodeAt(member, seq);
        if (node === null) break;
        if (page.nodes.length >= options.limit || (page.nodes.length > 0 && bytes + node.bytes.length > options.maxBytes)) return { ...page, next: { cid: node.cid, seq } };
        page.nodes.push(node);
        bytes += node.bytes.length;
      }
      return page;
    },
  };
}

/** The seq of `cid` in `member`'s held log; -1 (an empty page) when it is no node of that log. */
async function seqOf(logs: OwnRingLogs["logs"], member: string, cid: CID): Promise<number> {
  const node = await logs.readNode(cid).catch(() => null);
  return node !== null && sameAddress(node.node.author, member) && logs.holds(member, node.node.seq, cid) ? node.node.seq : -1;
}
