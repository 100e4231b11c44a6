/**
 * The fast path of a replica follower's catch-up: the member's nodes from the one after the held
 * head up to its on-chain head, streamed in ascending frames (log-sync, as members catch up with
 * each other; the caller supplies the frames). Each block is verified as it arrives (log/verify.ts
 * `verifyWalkedBlock`: CID, signature, ring, author, the seq due) and must link to the node before
 * it (the held head for the first), so every frame kept extends the held log: the frame is kept
 * (pinned) and the member's head moves to its last node before the next frame is read. A pass
 * reads at most `maxNodes` nodes and `maxBytes` bytes; the next pass continues from the new head.
 */
import type { CID } from "multiformats/cid";
import type { EncodedLogNode } from "../core/logNode.js";
import { LogReplicationIncompleteError } from "../log/errors.js";
import { verifyWalkedBlock, type BlockVerificationContext, type ReceivedBlock } from "../log/verify.js";
import type { ReplicaHead, ReplicaStore } from "./replicaStore.js";

/** The range a replica asks a client ring's member for: `author`'s nodes from seq `from` up to the head `to`. */
export interface FollowRange {
  ring: string;
  author: string;
  from: number;
  to: CID;
}

/** Streams a range in ascending frames (shape checked by the transport, contents unverified). */
export type RangeFetcher = (range: FollowRange, signal: AbortSignal) => AsyncIterable<ReceivedBlock[]>;

export interface RangeSyncInput {
  range: Omit<FollowRange, "from">;
  context: BlockVerificationContext;
  /** The member's head in the replica's index (null: none held, the range starts at seq 0). */
  held: ReplicaHead | null;
  store: Pick<ReplicaStore, "keep" | "advance">;
  fetch: RangeFetcher;
  maxNodes: number;
  maxBytes: number;
  signal: AbortSignal;
}

export interface RangeSyncResult {
  /** The member's head in the index after the pass (the held one when nothing arrived). */
  head: ReplicaHead | null;
  fetched: number;
  /** Whether the head is now the range's end. */
  complete: boolean;
}

export async function syncRange(input: RangeSyncInput): Promise<RangeSyncResult> {
  const { range, store } = input;
  let head = input.held;
  let fetched = 0;
  let bytes = 0;
  const stop = new AbortController();
  const signal = AbortSignal.any([input.signal, stop.signal]);
  try {
    for await (const frame of input.fetch({ ...range, from: (head?.seq ?? -1) + 1 }, signal)) {
      const nodes: EncodedLogNode[] = [];
      let parent = head;
      for (const block of frame) {
        const node = await verifyWalkedBlock(input.context, range.author, block, (parent?.seq ?? -1) + 1);
        const link = node.node.prev[0];
        if (parent === null ? link !== undefined : link?.equals(parent.cid) !== true) {
          throw new LogReplicationIncompleteError(`${node.cid.toString()} (seq ${node.node.seq}) does not link to ${range.author}'s held node at seq ${parent?.seq ?? "none"}`);
        }
        nodes.push(node);
        parent = { cid: node.cid, seq: node.node.seq };
        bytes += block.bytes.length;
      }
      if (parent === null || parent === head) continue;
      await store.keep(nodes);
      head = await store.advance(range.ring, range.author, parent);
      fetched += nodes.length;
      if (head.cid.equals(range.to) || fetched >= input.maxNodes || bytes >= input.maxBytes) break;
    }
  } finally {
    stop.abort(new Error("range pass done"));
  }
  return { head, fetched, complete: head?.cid.equals(range.to) === true };
}
