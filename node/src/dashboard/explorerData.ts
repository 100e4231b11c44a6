/**
 * The explorer's state, read from the running ring: each member's status and the last
 * `logNodes` nodes of its own log (through its control endpoint), the flushed rounds from the
 * chain snapshot (their cuts found among the members' proposals), the rounds' latencies from the
 * members' statuses, the messages of one app in the agreed order (ReadMessages at a member) and
 * each replica node's follow progress per registered client ring. Every read is bounded.
 */
import { getAddress } from "ethers";
import type { ReadMessagesRequest, ReadMessagesResult } from "../api/index.js";
import type { NodeStatus } from "../status/status.js";
import { headLabel, type ChainSnapshot, type RingView } from "./chainSnapshot.js";
import { logNodeView, messageApps, proposalOf, type FoundProposal, type RawLog } from "./explorerEntries.js";
import { layoutDag, layoutTimeline, type DagLayout, type FlushedCut, type Timeline, type TimelineRound } from "./explorerLayout.js";

/** One ring-node process as the explorer reads it. */
export interface ExplorerNode {
  name: string;
  role: "member" | "replica";
  address: string;
  status(signal: AbortSignal): Promise<NodeStatus>;
  /** `limit` nodes of `author`'s log from `from`, as held at this node. */
  log(author: string, from: number, limit: number, signal: AbortSignal): Promise<RawLog>;
  /** ReadMessages at this node (absent: it serves no JSON-RPC). */
  readMessages?(request: ReadMessagesRequest, signal: AbortSignal): Promise<ReadMessagesResult>;
}

export interface ExplorerLimits {
  /** Most recent log nodes per member (default 200). */
  logNodes: number;
  /** Most messages read (default 500). */
  messages: number;
  /** How long one node may take to answer (default 5 s). */
  timeoutMs: number;
}

export const EXPLORER_LIMITS: ExplorerLimits = { logNodes: 200, messages: 500, timeoutMs: 5_000 };

export interface MemberLog {
  name: string;
  address: string;
  /** The member's log length as it holds it, and the window shown (seqs from…to). */
  length: number;
  from: number;
  dag: DagLayout;
  error: string | null;
}

export interface FollowRow {
  replica: string;
  member: string;
  heldSeq: number | null;
  /** The seq of the member's head on chain, where one of the members' windows holds it. */
  onChainSeq: number | null;
  onChainHead: string | null;
  caughtUp: boolean;
  error: string | null;
}

export interface ExplorerState {
  ring: string;
  takenAt: string;
  members: MemberLog[];
  timeline: Timeline;
  apps: string[];
  app: string | null;
  messages: ReadMessagesResult["messages"];
  finalRound: number | null;
  messagesError: string | null;
  registrations: { replicaRing: string; clientRing: string; registrant: string; txHash: string; follow: FollowRow[] }[];
}

const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

async function settle<T>(read: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await read(AbortSignal.timeout(timeoutMs)) };
  } catch (error) {
    return { error: message(error) };
  }
}

/** The flushed rounds' cuts: each flushed round matched to the proposal of the same round and ring head. */
export function flushedCuts(rounds: RingView["rounds"], proposals: readonly FoundProposal[]): FlushedCut[] {
  const cuts: FlushedCut[] = [];
  for (const round of rounds) {
    const proposal = proposals.find((found) => found.round === round.round && headLabel(found.ringNodeHead) === round.ringNodeHead);
    if (proposal !== undefined) cuts.push({ round: round.round, heads: new Map(proposal.cut.map((head) => [head.author, head.seq])) });
  }
  return cuts;
}

/** The flushed rounds with the latency (proposal to flush mined) the member that flushed each measured. */
export function timelineRounds(rounds: RingView["rounds"], statuses: readonly NodeStatus[]): TimelineRound[] {
  return rounds.map((round) => {
    const timing = statuses.flatMap((status) => status.rounds ?? []).find((t) => t.round === round.round && t.flushedAt !== null && t.proposedAt !== null);
    const flushedAt = timing?.flushedAt ?? null;
    return { round: round.round, latencyMs: timing === undefined || flushedAt === null ? null : flushedAt - (timing.proposedAt ?? flushedAt), flushedAt, block: round.block, txHash: round.txHash };
  });
}

async function readAllMessages(node: ExplorerNode, app: string, limits: ExplorerLimits): Promise<ReadMessagesResult> {
  const read = node.readMessages?.bind(node);
  if (read === undefined) throw new Error(`${node.name} serves no JSON-RPC`);
  const all: ReadMessagesResult["messages"] = [];
  let after: string | null = null;
  let finalRound = 0;
  while (all.length < limits.messages) {
    const limit = Math.min(100, limits.messages - all.length);
    const page: ReadMessagesResult = await read({ app, limit, ...(after === null ? {} : { after }) }, AbortSignal.timeout(limits.timeoutMs));
    finalRound = page.finalRound;
    const finals = page.messages.filter((m) => m.status === "final");
    all.push(...finals);
    if (page.cursor === null || page.cursor === after || finals.length === 0 || finals.length < page.messages.length) {
      all.push(...page.messages.filter((m) => m.status !== "final").slice(0, limits.messages - all.length));
      break;
    }
    after = page.cursor;
  }
  return { messages: all, cursor: after, finalRound };
}

export async function collectExplorer(input: { ring: string; chain: ChainSnapshot; nodes: readonly ExplorerNode[]; app?: string | null; limits?: Partial<ExplorerLimits> }): Promise<ExplorerState> {
  const limits = { ...EXPLORER_LIMITS, ...input.limits };
  const ringAddress = getAddress(input.ring);
  const ring = input.chain.rings.find((view) => view.address === ringAddress);
  const members = input.nodes.filter((node) => node.role === "member");
  const replicas = input.nodes.filter((node) => node.role === "replica");
  const statuses = await Promise.all(input.nodes.map((node) => settle((signal) => node.status(signal), limits.timeoutMs)));
  const statusOf = new Map(input.nodes.map((node, i) => [node, statuses[i]]));
  const logs = await Promise.all(
    members.map(async (node) => {
      const status = statusOf.get(node);
      if (status === undefined || "error" in status) return { error: status?.error ?? "no status" };
      const length = (status.value.own?.seq ?? -1) + 1;
      const from = Math.max(0, length - limits.logNodes);
      return settle((signal) => node.log(node.address, from, limits.logNodes, signal), limits.timeoutMs);
    }),
  );
  const rawNodes = logs.flatMap((log) => ("value" in log ? log.value.nodes : []));
  const proposals = rawNodes.flatMap((node) => proposalOf(node.payload) ?? []);
  const rounds = ring?.rounds ?? [];
  const cuts = flushedCuts(rounds, proposals);
  const memberLogs: MemberLog[] = members.map((node, i) => {
    const log = logs[i];
    const nodes = log !== undefined && "value" in log ? log.value.nodes : [];
    const length = log !== undefined && "value" in log ? log.value.length : 0;
    return { name: node.name, address: node.address, length, from: nodes[0]?.seq ?? 0, dag: layoutDag(node.address, nodes.map(logNodeView), cuts), error: log !== undefined && "error" in log ? log.error : null };
  });
  const goodStatuses = statuses.flatMap((status) => ("value" in status ? [status.value] : []));
  const timeline = layoutTimeline(timelineRounds(rounds, goodStatuses));

  const apps = messageApps(rawNodes);
  const app = input.app ?? apps[0] ?? null;
  let messages: ExplorerState["messages"] = [];
  let finalRound: number | null = null;
  let messagesError: string | null = null;
  if (app !== null) {
    const reader = members.find((node) => node.readMessages !== undefined && statusOf.get(node) !== undefined && !("error" in (statusOf.get(node) as object)));
    if (reader === undefined) messagesError = "no running member serves ReadMessages";
    else {
      const read = await settle(() => readAllMessages(reader, app, limits), limits.timeoutMs * 4);
      if ("error" in read) messagesError = read.error;
      else ({ messages, finalRound } = read.value);
    }
  }

  const seqOfCid = new Map(rawNodes.map((node) => [node.cid, node.seq]));
  const registrations = input.chain.rings.filter((view) => view.kind === "replica").flatMap((view) =>
    view.registrations.map((registration) => ({
      replicaRing: view.address,
      clientRing: registration.clientRing,
      registrant: registration.registrant,
      txHash: registration.txHash,
      follow: replicas.flatMap((node): FollowRow[] => {
        const status = statusOf.get(node);
        if (status === undefined || "error" in status) return [{ replica: node.name, member: "", heldSeq: null, onChainSeq: null, onChainHead: null, caughtUp: false, error: status?.error ?? "no status" }];
        return (status.value.replica ?? [])
          .filter((row) => getAddress(row.ring) === getAddress(registration.clientRing))
          .map((row) => {
            const seqOf = (cid: string) => (row.held?.cid === cid ? row.held.seq : (seqOfCid.get(cid) ?? null));
            const known = row.onChain.map((cid) => ({ cid, seq: seqOf(cid) })).sort((a, b) => (b.seq ?? -1) - (a.seq ?? -1));
            const head = known[0] ?? null;
            return { replica: node.name, member: row.member, heldSeq: row.held?.seq ?? null, onChainSeq: head?.seq ?? null, onChainHead: head?.cid ?? null, caughtUp: row.caughtUp, error: row.error };
          });
      }),
    })),
  );
  return { ring: ringAddress, takenAt: new Date().toISOString(), members: memberLogs, timeline, apps, app, messages, finalRound, messagesError, registrations };
}
