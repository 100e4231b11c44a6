/**
 * What the explorer reads out of a member's log nodes (as the control endpoint's `/log` gives them,
 * JSON): the entry type of each node, a short label, the rounds proposals it holds, and the apps of
 * the messages in the clear. Pure functions.
 */
import { getAddress } from "ethers";
import type { LogNodeView } from "./explorerLayout.js";

/** A log node as the control endpoint's `/log/<author>` answers (control/server.ts readLog). */
export interface RawLogNode {
  seq: number;
  cid: string;
  prev: string[];
  ts: number;
  payload: unknown;
  /** Stored under a read key and opened by the node that served it. */
  sealed?: boolean;
}

export interface RawLog {
  author: string;
  length: number;
  nodes: RawLogNode[];
}

/** A rounds proposal found in a log: its round, the ring log node head it proposed and its cut. */
export interface FoundProposal {
  round: number;
  /** bytes32 hex, as the proposal entry carries it. */
  ringNodeHead: string;
  cut: { author: string; seq: number }[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

const clip = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The entry type of a payload: the `type` it names (job, shard, proposal, …), message, encrypted or other. */
export function entryKind(payload: unknown): string {
  if (!isRecord(payload)) return "other";
  if (isRecord(payload.message)) return "message";
  if (typeof payload.enc === "string") return "encrypted";
  if (typeof payload.type === "string" && /^[A-Za-z][\w-]{0,31}$/.test(payload.type)) return payload.type;
  return "other";
}

/** A short text for the node's tooltip. */
export function entryLabel(payload: unknown): string {
  if (!isRecord(payload)) return "";
  if (isRecord(payload.message)) {
    const { app, payload: body } = payload.message;
    return clip(`${String(app)}: ${JSON.stringify(body) ?? ""}`);
  }
  if (payload.type === "proposal") return `round ${String(payload.round)}, ${Array.isArray(payload.jobs) ? payload.jobs.length : 0} jobs`;
  if (payload.type === "shard") return `shard ${String(payload.shard)}`;
  if (typeof payload.enc === "string") return payload.enc;
  return "";
}

/** The explorer's view of a raw log node. */
export function logNodeView(node: RawLogNode): LogNodeView {
  return { seq: node.seq, cid: node.cid, prev: node.prev, ts: node.ts, kind: entryKind(node.payload), label: entryLabel(node.payload) };
}

/** The proposal a payload carries, or null when it carries none (or a malformed one). */
export function proposalOf(payload: unknown): FoundProposal | null {
  if (!isRecord(payload) || payload.type !== "proposal") return null;
  const { round, ringNodeHead, cut } = payload;
  if (!Number.isSafeInteger(round) || typeof ringNodeHead !== "string" || !Array.isArray(cut)) return null;
  const heads: FoundProposal["cut"] = [];
  for (const head of cut) {
    if (!isRecord(head) || typeof head.author !== "string" || !Number.isSafeInteger(head.seq)) return null;
    try {
      heads.push({ author: getAddress(head.author), seq: head.seq as number });
    } catch {
      return null;
    }
  }
  return { round: round as number, ringNodeHead: ringNodeHead.toLowerCase(), cut: heads };
}

/** The apps of the messages in the clear among `nodes`, most frequent first. */
export function messageApps(nodes: readonly RawLogNode[]): string[] {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const payload = node.payload;
    if (isRecord(payload) && isRecord(payload.message) && typeof payload.message.app === "string") counts.set(payload.message.app, (counts.get(payload.message.app) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([app]) => app);
}
