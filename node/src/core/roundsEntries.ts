/**
 * What the rounds protocol writes into members' logs (log node payloads), validated when read back:
 * - `job`: a job submitted at this member (its spec, where its output goes);
 * - `shard`: this member's result for one shard of a job (the result block inline, and its CID);
 * - `proposal`: a relayer's proposal for a round (the cut of member heads it verified, the jobs it
 *   finalises with their majority shard results and reduced outputs, and the ring log node's head).
 * Votes travel directly to the relayer (rounds protocol) and end up on chain with the flush.
 */
import { CID } from "multiformats/cid";

export const JOB_ENTRY = "job";
export const SHARD_ENTRY = "shard";
export const PROPOSAL_ENTRY = "proposal";

export interface JobEntry {
  type: typeof JOB_ENTRY;
  /** CID of the job spec block (dag-cbor): the job's identity. */
  job: CID;
  /** The spec itself (the same bytes as the block), so members need not fetch it. */
  spec: Uint8Array;
  /** Gate pin the output goes to. */
  pin: number;
}

export interface ShardEntry {
  type: typeof SHARD_ENTRY;
  job: CID;
  shard: number;
  /** CID of the result block (dag-cbor of the map output). */
  result: CID;
  /** The result block's bytes. */
  bytes: Uint8Array;
}

/** A member head in a proposal's cut: the node at `seq` of `author`'s log is `cid`. */
export interface CutHead {
  author: string;
  seq: number;
  cid: CID;
}

export interface ProposedJob {
  job: CID;
  /** Majority result CID of each shard, in shard order. */
  shards: CID[];
  /** The reduced output block. */
  output: CID;
  pin: number;
}

export interface ProposalEntry {
  type: typeof PROPOSAL_ENTRY;
  round: number;
  /** The ring head before this round (bytes32 hex). */
  prevHead: string;
  cut: CutHead[];
  jobs: ProposedJob[];
  gate: string;
  /** The ring log node's head (bytes32 hex) the votes sign. */
  ringNodeHead: string;
}

export type RoundsEntry = JobEntry | ShardEntry | ProposalEntry;

function isCid(value: unknown): value is CID {
  return CID.asCID(value) !== null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Uint8Array);
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isHex32 = (value: unknown): value is string => typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value);

/** The payload as a rounds entry, or null when it is something else (or malformed). */
export function asRoundsEntry(payload: unknown): RoundsEntry | null {
  if (!isRecord(payload)) return null;
  switch (payload.type) {
    case JOB_ENTRY:
      return isCid(payload.job) && payload.spec instanceof Uint8Array && isCount(payload.pin) ? (payload as unknown as JobEntry) : null;
    case SHARD_ENTRY:
      return isCid(payload.job) && isCount(payload.shard) && isCid(payload.result) && payload.bytes instanceof Uint8Array ? (payload as unknown as ShardEntry) : null;
    case PROPOSAL_ENTRY: {
      const { round, prevHead, cut, jobs, gate, ringNodeHead } = payload;
      if (!isCount(round) || !isHex32(prevHead) || !isHex32(ringNodeHead) || typeof gate !== "string") return null;
      if (!Array.isArray(cut) || !cut.every((h) => isRecord(h) && typeof h.author === "string" && isCount(h.seq) && isCid(h.cid))) return null;
      if (!Array.isArray(jobs) || !jobs.every((j) => isRecord(j) && isCid(j.job) && isCid(j.output) && isCount(j.pin) && Array.isArray(j.shards) && j.shards.every(isCid))) return null;
      return payload as unknown as ProposalEntry;
    }
    default:
      return null;
  }
}
