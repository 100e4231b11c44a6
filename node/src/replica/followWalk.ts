/**
 * One pass of a replica follower's walk back along a member's `prev` links from its on-chain head.
 * Each block is checked as it arrives (log/verify.ts `verifyWalkedBlock`: CID, signature, ring,
 * author, and a seq one less than the node after it), so the walk stops at the first bad block and
 * deletes the blocks it fetched. A pass fetches at most `maxNodes` nodes and `maxBytes` bytes; when
 * a bound (or a block that does not arrive) stops it, the nodes verified so far are kept (pinned,
 * but no head names them, so they are not held) and the walk is paused there: the next pass
 * resumes from its lowest node. Only when the walk meets the member's head in the replica's index
 * (or passes seq 0 where none is held) does that head move, to the top of the walk.
 */
import type { CID } from "multiformats/cid";
import type { EncodedLogNode } from "../core/logNode.js";
import { LogReplicationIncompleteError } from "../log/errors.js";
import { verifyWalkedBlock, type BlockVerificationContext } from "../log/verify.js";
import type { ReplicaHead, ReplicaStore } from "./replicaStore.js";

export interface WalkPoint {
  cid: CID;
  seq: number;
}

/** A walk stopped by its bounds: verified from `top` down to `lowest`, kept but not held. */
export interface PausedWalk {
  top: WalkPoint;
  lowest: WalkPoint & { parent: CID | undefined };
}

export interface FollowWalkInput {
  ring: string;
  /** Checksummed. */
  author: string;
  /** The member's head on chain. */
  target: CID;
  context: BlockVerificationContext;
  /** The member's head in the replica's index (what is held). */
  held: ReplicaHead | null;
  /** Where earlier passes stopped (newest first; a moved head leaves a walk below the new one). */
  paused: readonly PausedWalk[];
  store: Pick<ReplicaStore, "has" | "keep" | "discard" | "advance">;
  fetch(cid: CID): Promise<Uint8Array>;
  maxNodes: number;
  maxBytes: number;
}

export type FollowWalkResult =
  /** The index now holds the member's log up to `head`. */
  | { kind: "advanced"; head: WalkPoint; fetched: number }
  /** A bound, or a block that did not arrive (`stalled`), stopped the walk; the next pass resumes. */
  | { kind: "paused"; paused: PausedWalk[]; fetched: number; stalled?: unknown }
  /** The on-chain head is no newer than the held one. */
  | { kind: "stale" };

/** Paused walks remembered per member (each a moved head's walk not yet joined to the one below). */
export const MAX_PAUSED_WALKS = 8;

interface Fetched {
  node: EncodedLogNode;
  /** Not in the blockstore before this walk fetched it (only such blocks are deleted again). */
  fresh: boolean;
}

export async function walkBack(input: FollowWalkInput): Promise<FollowWalkResult> {
  const { held, store } = input;
  const fetched: Fetched[] = [];
  let bytes = 0;
  let top: WalkPoint | undefined;
  let paused = [...input.paused];
  let lowest: PausedWalk["lowest"] | undefined;
  let cursor: CID | undefined = input.target;
  let due: number | undefined;

  const keep = async () => store.keep(fetched.map((entry) => entry.node).reverse());
  const pause = async (stalled?: unknown): Promise<FollowWalkResult> => {
    if (top === undefined || lowest === undefined) {
      if (stalled instanceof Error) throw stalled;
      throw new LogReplicationIncompleteError("the walk stopped before its first node");
    }
    await keep();
    const walks = [{ top, lowest }, ...paused].slice(0, MAX_PAUSED_WALKS);
    return { kind: "paused", paused: walks, fetched: fetched.length, ...(stalled === undefined ? {} : { stalled }) };
  };
  const finish = async (): Promise<FollowWalkResult> => {
    if (top === undefined) return { kind: "stale" };
    await keep();
    await store.advance(input.ring, input.author, top);
    return { kind: "advanced", head: top, fetched: fetched.length };
  };

  try {
    for (;;) {
      if (held !== null && due !== undefined && due <= held.seq) {
        if (due === held.seq && cursor?.equals(held.cid) === true) return await finish();
        throw new LogReplicationIncompleteError(`${input.author}'s log from ${input.target.toString()} passes seq ${held.seq} without meeting the held head ${held.cid.toString()}`);
      }
      if (cursor === undefined) {
        if (held !== null) throw new LogReplicationIncompleteError(`${input.author}'s log from ${input.target.toString()} ends without meeting the held head`);
        return await finish();
      }
      const at: CID = cursor;
      const earlier: PausedWalk | undefined = paused.find((walk) => walk.top.cid.equals(at) && (due === undefined || due === walk.top.seq));
      if (earlier !== undefined) {
        // Resume below where an earlier pass stopped (its nodes were verified and kept then).
        top ??= earlier.top;
        lowest = earlier.lowest;
        cursor = earlier.lowest.parent;
        due = earlier.lowest.seq - 1;
        paused = paused.filter((walk) => walk !== earlier);
        continue;
      }
      if (fetched.length >= input.maxNodes || bytes >= input.maxBytes) return await pause();

      const fresh = !(await store.has(cursor));
      let block: Uint8Array;
      try {
        block = await input.fetch(cursor);
      } catch (error) {
        if (fetched.length === 0) throw error;
        return await pause(error);
      }
      let node: EncodedLogNode;
      try {
        node = await verifyWalkedBlock(input.context, input.author, { cid: cursor, bytes: block }, due);
      } catch (error) {
        if (fresh) await store.discard(cursor).catch(() => undefined);
        throw error;
      }
      fetched.push({ node, fresh });
      bytes += block.length;
      if (held !== null && due === undefined && node.node.seq <= held.seq) {
        // An older head (or another node at a held seq): nothing to replicate from it.
        if (fresh) await store.discard(node.cid).catch(() => undefined);
        return { kind: "stale" };
      }
      top ??= { cid: node.cid, seq: node.node.seq };
      due = node.node.seq - 1;
      cursor = node.node.prev[0];
      lowest = { cid: node.cid, seq: node.node.seq, parent: cursor };
      if ((node.node.seq === 0) !== (cursor === undefined)) throw new LogReplicationIncompleteError(`node ${node.cid.toString()} (seq ${node.node.seq}) ${cursor === undefined ? "has no parent" : "has a parent at seq 0"}`);
    }
  } catch (error) {
    // Nothing of a walk that cannot be kept stays in the blockstore (what was there before stays).
    for (const entry of fetched) if (entry.fresh) await store.discard(entry.node.cid).catch(() => undefined);
    throw error;
  }
}
