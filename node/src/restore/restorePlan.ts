/**
 * What a member must restore of its own log before it appends anything: for each head the chain
 * names for it (`logNodeHeads` and its entry in the latest ring log node's member heads), walk back
 * along `prev` from that head, fetching each node from the first source that has it (the local
 * blockstore, replica nodes by GetReplicaLog, ring peers and replica nodes by bitswap) and verifying
 * it as it arrives (log/verify.ts: CID, signature, ring, author, the seq due), until the walk meets
 * the log the store holds (or passes seq 0 when it holds none). The result is the nodes to append,
 * oldest first, so that the next append has seq = on-chain seq + 1. A node no source has, a walk
 * that meets another log than the one held, or a walk beyond `maxNodes` is a refusal (errors.ts):
 * starting anyway would fork the member's own log.
 */
import type { CID } from "multiformats/cid";
import type { EncodedLogNode } from "../core/logNode.js";
import { verifyWalkedBlock, type BlockVerificationContext } from "../log/verify.js";
import { OwnLogBehindChainError, OwnLogDivergesError, RestoreTooLongError } from "./errors.js";

/** Somewhere a block of the member's own log may be had; null when it does not have it. */
export interface RestoreSource {
  readonly name: string;
  get(cid: CID, signal: AbortSignal): Promise<Uint8Array | null>;
}

/** What the store holds of the member's own log. */
export interface HeldLog {
  /** Nodes held (the next seq). */
  length: number;
  /** Whether `cid` is the held node at `seq`. */
  holds(seq: number, cid: CID): boolean;
}

export interface RestorePlanInput {
  /** Checksummed. */
  author: string;
  /** The member's heads on chain. */
  targets: readonly CID[];
  held: HeldLog;
  sources: readonly RestoreSource[];
  context: BlockVerificationContext;
  /** The most nodes one restore fetches. */
  maxNodes: number;
  signal: AbortSignal;
}

export type RestorePlan =
  /** The store holds every head the chain names. */
  | { kind: "current" }
  /** Append `nodes` (oldest first, seq `held.length` on) before anything else; `bySource` counts where they came from. */
  | { kind: "restore"; nodes: EncodedLogNode[]; bySource: Record<string, number> };

/** The most nodes one restore fetches by default (a bound on memory: the nodes are held until appended). */
export const MAX_RESTORE_NODES = 1_000_000;

interface Found {
  node: EncodedLogNode;
  source: string;
}

export async function planRestore(input: RestorePlanInput): Promise<RestorePlan> {
  const bySeq = new Map<number, Found>();
  for (const target of input.targets) {
    for (const found of await walkTarget(input, target, bySeq)) {
      const earlier = bySeq.get(found.node.node.seq);
      if (earlier !== undefined && earlier.node.cid.toString() !== found.node.cid.toString()) {
        throw new OwnLogDivergesError(`the chain names two nodes of ${input.author}'s log at seq ${found.node.node.seq}: ${earlier.node.cid.toString()} and ${found.node.cid.toString()}`);
      }
      bySeq.set(found.node.node.seq, found);
    }
  }
  if (bySeq.size === 0) return { kind: "current" };
  const found = [...bySeq.values()].sort((a, b) => a.node.node.seq - b.node.node.seq);
  const bySource: Record<string, number> = {};
  for (const entry of found) bySource[entry.source] = (bySource[entry.source] ?? 0) + 1;
  return { kind: "restore", nodes: found.map((entry) => entry.node), bySource };
}

/** The nodes between `target` and the held log, newest first (none when the store holds `target`). */
async function walkTarget(input: RestorePlanInput, target: CID, already: ReadonlyMap<number, Found>): Promise<Found[]> {
  const { author, held } = input;
  const walked: Found[] = [];
  let cursor: CID | undefined = target;
  let due: number | undefined;
  for (;;) {
    if (due !== undefined && due >= 0 && due < held.length) {
      if (cursor !== undefined && held.holds(due, cursor)) return walked;
      throw new OwnLogDivergesError(`${author}'s log from the on-chain head ${target.toString()} has ${cursor?.toString() ?? "no node"} at seq ${due}, where the store holds another node`);
    }
    if (cursor === undefined) return walked; // passed seq 0; the store holds none of the log
    if (due !== undefined && already.get(due)?.node.cid.equals(cursor) === true) return walked; // an earlier head's walk went on from here
    if (walked.length + already.size >= input.maxNodes) throw new RestoreTooLongError(`restoring ${author}'s log from ${target.toString()} needs more than ${input.maxNodes} nodes`);
    const found = await fetchVerified(input, cursor, due, target);
    const { seq } = found.node.node;
    if (due === undefined && seq < held.length) {
      if (held.holds(seq, found.node.cid)) return walked;
      throw new OwnLogDivergesError(`the chain names ${found.node.cid.toString()} as ${author}'s head at seq ${seq}, where the store holds another node`);
    }
    const parent: CID | undefined = found.node.node.prev[0];
    if ((seq === 0) !== (parent === undefined)) throw new OwnLogDivergesError(`node ${found.node.cid.toString()} (seq ${seq}) ${parent === undefined ? "has no parent" : "has a parent at seq 0"}`);
    walked.push(found);
    cursor = parent;
    due = seq - 1;
  }
}

/** The node `cid` from the first source whose block verifies as `author`'s node at `due`. */
async function fetchVerified(input: RestorePlanInput, cid: CID, due: number | undefined, target: CID): Promise<Found> {
  const refusals: string[] = [];
  for (const source of input.sources) {
    if (input.signal.aborted) throw input.signal.reason;
    let bytes: Uint8Array | null;
    try {
      bytes = await source.get(cid, input.signal);
    } catch (error) {
      refusals.push(`${source.name}: ${(error as Error).message}`);
      continue;
    }
    if (bytes === null) {
      refusals.push(`${source.name}: not held`);
      continue;
    }
    try {
      return { node: await verifyWalkedBlock(input.context, input.author, { cid, bytes }, due), source: source.name };
    } catch (error) {
      refusals.push(`${source.name}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  const at = due === undefined ? "its head" : `seq ${due}`;
  throw new OwnLogBehindChainError(
    `the chain names ${input.author}'s head ${target.toString()}, beyond the ${input.held.length} node(s) this store holds, and no source has ${at} (${cid.toString()}): ${refusals.join("; ") || "no sources"}. Refusing to append: a new node now would fork the log. Start again once a replica node or ring peer that holds it is reachable (--restore-from, --peer).`,
  );
}
