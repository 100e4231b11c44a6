/** What every method answers with (the `result` of a JSON-RPC response). */

/** FlushToRing's steps, in the order they run. */
export type StepName = "replicaKey" | "signature" | "replay" | "membership" | "logNodes" | "mtx" | "received" | "relayed";
export type StepStatus = "ok" | "failed" | "pending";

export interface FlushStep {
  step: StepName;
  status: StepStatus;
  detail?: string;
}

/** `received`: accepted, the relay is under way; then `relayed` or `failed`. */
export type FlushState = "received" | "relayed" | "failed";

/** FlushToRing's answer, and GetFlushStatus's. A refusal is an error whose `data.steps` shows how far it got. */
export interface FlushToRingResult {
  /** The mtx's EIP-712 digest: what GetFlushStatus asks about. */
  id: string;
  state: FlushState;
  steps: FlushStep[];
  /** The new head the mtx sets on chain (bytes32). */
  head: string;
  /** CIDs of the node's own log messages `received` and `relayed` / `failed`. */
  receivedCid?: string;
  outcomeCid?: string;
  tx?: string;
  /** This request's share of the relay transaction's fee, in wei. */
  feeWei?: string;
  batchSize?: number;
  reason?: string;
}

export interface ReplicateRingResult {
  ring: string;
  replicaRing: string;
  registrant: string;
  /** The registration transaction; null when the ring was registered before and only the key was handed over. */
  tx: string | null;
  feeWei: string | null;
  replicaKeyId: string;
  logCid?: string;
}

export interface GetReplicaLogResult {
  ring: string;
  member: string;
  /** The newest node held (CID string), or null. */
  head: string | null;
  headSeq: number | null;
  /** Serialised log nodes, newest first. */
  nodes: string[];
  /**
   * Where the next page starts (CID string, to pass as `from`) when this answer stopped at its
   * node or byte limit before `sinceSeq` or the log's first node; null when the page is the rest.
   */
  next: string | null;
  /** The seq of the `next` node, or null. */
  nextSeq: number | null;
}

export interface PostMessageResult {
  /** The log node's CID. */
  cid: string;
  /** Its seq in the member's log. */
  seq: number;
  author: string;
}

/** A message, final in `round` or tentative (appended, not covered by a flushed round yet). */
export interface MessageItem {
  cid: string;
  author: string;
  seq: number;
  ts?: number;
  app: string;
  type?: string;
  payload: unknown;
  status: "final" | "tentative";
  round: number | null;
  /** The signed log node carrying the message, 0x-hex dag-cbor (ReadMessages with `withNodes`). */
  node?: string;
}

export interface ReadMessagesResult {
  /** Final messages in the agreed order, then (once those are all given) the tentative ones. */
  messages: MessageItem[];
  /** Pass as `after` to read on (it points at the last final message given); null before any. */
  cursor: string | null;
  /** The last round whose messages are final here. */
  finalRound: number;
}

/** One member of a client ring as a replica node follows it (replica/replicaFollower.ts FollowProgress; shown by `ring-node status`). */
export interface ReplicaFollowStatus {
  ring: string;
  member: string;
  /** The member's heads on chain (CIDs). */
  onChain: string[];
  held: { seq: number; cid: string } | null;
  caughtUp: boolean;
  error: string | null;
  at: string;
}

/** Where the replica follower reports its progress for the node's status (status/status.ts StatusSections). */
export interface ReplicaStatusSink {
  setReplica(source: (() => ReplicaFollowStatus[]) | null): void;
}

/** One round as this node saw it (rounds/roundTimings.ts; shown by the dashboard's explorer). Times are epoch milliseconds. */
export interface RoundTimingStatus {
  round: number;
  /** When this node first started proposing the round (it was the round's relayer), else null. */
  proposedAt: number | null;
  /** When this node's flush of the round was mined (it flushed it), else null. */
  flushedAt: number | null;
  /** When this node heard from the relayer that the round was flushed, else null. */
  heardAt: number | null;
}

/** Where the rounds report their recent timings for the node's status (status/status.ts StatusSections). */
export interface RoundsStatusSink {
  setRounds(source: (() => RoundTimingStatus[]) | null): void;
}
