/**
 * A member's head announcement (gossipsub, on the client ring's topic) moves a replica's follow
 * target for that member at once, without the head being on chain. The announcement is only a
 * claim: nothing of it is kept unless it verifies as the member's own log continuing the head this
 * replica holds. Its inline nodes (the newest up to the head, ascending) that reach back to the
 * held head are taken as one frame through the range follow's checks (followRange.ts: CID,
 * signature, ring, the member as author, the seq due, the link to the node before), kept and
 * pinned, and the head moved; when they do not reach the held head (a gap, or none inline) the
 * missing nodes are fetched from the member over log-sync up to the announced CID, checked the
 * same way. The claim's seq only decides whether there is anything to do (not newer: nothing).
 */
import type { CID } from "multiformats/cid";
import type { BlockVerificationContext, ReceivedBlock } from "../log/verify.js";
import { syncRange, type RangeFetcher, type RangeSyncResult } from "./followRange.js";
import type { ReplicaHead, ReplicaStore } from "./replicaStore.js";

/** The head an announcement claims for its author (untrusted). */
export interface AnnouncedHead {
  author: string;
  seq: number;
  cid: CID;
}

/** Inline nodes taken from one announcement at most (as replication/messages.ts ANNOUNCED_MAX_BLOCKS). */
export const MAX_ANNOUNCED_BLOCKS = 64;
/** Inline bytes taken from one announcement at most (as replication/messages.ts ANNOUNCED_BLOCKS_MAX_BYTES). */
export const MAX_ANNOUNCED_BYTES = 64 * 1024;

export interface AnnouncedSyncInput {
  ring: string;
  /** Checksummed; a member of the ring (checked by the caller against the chain's member list). */
  author: string;
  head: AnnouncedHead;
  /** The announcement's inline nodes, ascending, the head last (untrusted; CIDs computed from the bytes). */
  blocks: readonly ReceivedBlock[];
  context: BlockVerificationContext;
  held: ReplicaHead | null;
  store: Pick<ReplicaStore, "keep" | "advance">;
  /** The member's log-sync, for what the inline nodes do not cover (absent: only inline nodes are taken). */
  fetchRange?: RangeFetcher;
  maxNodes: number;
  maxBytes: number;
  signal: AbortSignal;
}

export type AnnouncedSync =
  /** The claim is no newer than the held head. */
  | { kind: "stale" }
  /** The inline nodes do not reach the held head and there is no log-sync to fetch the rest. */
  | { kind: "unreachable" }
  /** The head moved from the inline nodes alone (`inline`), or with nodes fetched over log-sync (`fetched`). */
  | ({ kind: "inline" } & RangeSyncResult)
  | ({ kind: "fetched" } & RangeSyncResult);

/** Whether `blocks` fit an announcement's bounds and end with the claimed head. */
export function usableInline(head: AnnouncedHead, blocks: readonly ReceivedBlock[]): boolean {
  if (blocks.length === 0 || blocks.length > MAX_ANNOUNCED_BLOCKS || blocks.length > head.seq + 1) return false;
  if (blocks.reduce((total, block) => total + block.bytes.length, 0) > MAX_ANNOUNCED_BYTES) return false;
  return blocks.at(-1)?.cid.equals(head.cid) === true;
}

/**
 * Moves the member's held head towards the announced one: from the inline nodes when they reach
 * the held head, else over log-sync. Throws what verification throws (nothing is kept then).
 */
export async function syncAnnounced(input: AnnouncedSyncInput): Promise<AnnouncedSync> {
  const { head, held } = input;
  if (held !== null && head.seq <= held.seq) return { kind: "stale" };
  const range = { ring: input.ring, author: input.author, to: head.cid };
  const common = { range, context: input.context, held, store: input.store, signal: input.signal };
  const first = head.seq - input.blocks.length + 1;
  if (usableInline(head, input.blocks) && first <= (held?.seq ?? -1) + 1) {
    // The nodes after the held head, by the claimed seqs (a lie shows as a seq not due, or a broken link).
    const inline = input.blocks;
    const fetch: RangeFetcher = (asked) => [inline.slice(asked.from - first)];
    return { kind: "inline", ...(await syncRange({ ...common, fetch, maxNodes: MAX_ANNOUNCED_BLOCKS, maxBytes: MAX_ANNOUNCED_BYTES })) };
  }
  if (input.fetchRange === undefined) return { kind: "unreachable" };
  return { kind: "fetched", ...(await syncRange({ ...common, fetch: input.fetchRange, maxNodes: input.maxNodes, maxBytes: input.maxBytes })) };
}
