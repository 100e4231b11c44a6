/**
 * The direct, fast path of a round between members: the relayer asks each member to vote on its
 * proposal (one dag-cbor request, one answer on a libp2p stream), and tells them when it flushed.
 * Everything a vote depends on is also in the logs and on chain; this only saves waiting.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import { CID } from "multiformats/cid";
import type { Logger } from "pino";
import type { SignedDissent, SignedVote } from "../core/ringVotes.js";
import { asRoundsEntry, type ProposalEntry } from "./entries.js";
import { RoundsProtocolError } from "./errors.js";

export { RoundsProtocolError } from "./errors.js";

/** 2.0.0: vote requests carry the membership epoch, and votes sign it (1.0.0 votes do not verify on this Ring). */
export const ROUNDS_PROTOCOL = "/rings/rounds/2.0.0";
const MAX_MESSAGE = 4 * 1024 * 1024;

export type RoundsRequest =
  /** `membershipEpoch`: the Ring's membership epoch the relayer signed under; a member votes only under the same. */
  | { kind: "vote"; ring: string; proposal: ProposalEntry; membershipEpoch: bigint }
  | { kind: "nodes"; ring: string; author: string; blocks: Array<{ cid: CID; bytes: Uint8Array }> }
  | { kind: "flushed"; ring: string; round: number; ringNodeHead: string; tx: string }
  /** The relayer broadcast the round's flush (not mined yet): the relayer timeout counts from now. */
  | { kind: "sent"; ring: string; round: number; ringNodeHead: string; tx: string }
  | { kind: "working"; ring: string; job: CID; shards: number[] };

export type RoundsAnswer =
  | { kind: "vote"; vote: SignedVote }
  | { kind: "dissent"; dissent: SignedDissent }
  | { kind: "refuse"; reason: string }
  | { kind: "ok" };

export interface RoundsHandlerOptions {
  ring: string;
  isMemberPeer(peer: PeerId): boolean;
  answer(peer: PeerId, request: RoundsRequest, signal: AbortSignal): Promise<RoundsAnswer>;
  /** Bound on reading the request and writing the answer (the answer itself may take `answerTimeoutMs`). */
  timeoutMs: number;
  answerTimeoutMs: number;
  logger: Logger;
}

function decodeRequest(bytes: Uint8Array): RoundsRequest {
  const value = dagCbor.decode<Record<string, unknown>>(bytes);
  if (value === null || typeof value !== "object") throw new RoundsProtocolError("request is not a map");
  if (value.kind === "vote") {
    const proposal = asRoundsEntry(value.proposal);
    const membershipEpoch = asEpoch(value.membershipEpoch);
    if (proposal?.type !== "proposal" || typeof value.ring !== "string" || membershipEpoch === null) throw new RoundsProtocolError("malformed vote request");
    return { kind: "vote", ring: value.ring, proposal, membershipEpoch };
  }
  if (value.kind === "nodes" && typeof value.ring === "string" && typeof value.author === "string" && Array.isArray(value.blocks)) {
    const blocks = value.blocks as Array<{ cid?: unknown; bytes?: unknown }>;
    if (blocks.length > 64 || !blocks.every((b) => b !== null && typeof b === "object" && CID.asCID(b.cid) !== null && b.bytes instanceof Uint8Array)) throw new RoundsProtocolError("malformed nodes push");
    return { kind: "nodes", ring: value.ring, author: value.author, blocks: blocks as Array<{ cid: CID; bytes: Uint8Array }> };
  }
  if (value.kind === "working" && typeof value.ring === "string" && CID.asCID(value.job) !== null && Array.isArray(value.shards) && value.shards.every((n) => Number.isSafeInteger(n))) {
    return { kind: "working", ring: value.ring, job: CID.asCID(value.job) as CID, shards: value.shards as number[] };
  }
  if ((value.kind === "flushed" || value.kind === "sent") && typeof value.ring === "string" && Number.isSafeInteger(value.round) && typeof value.ringNodeHead === "string" && typeof value.tx === "string") {
    return { kind: value.kind, ring: value.ring, round: value.round as number, ringNodeHead: value.ringNodeHead, tx: value.tx };
  }
  throw new RoundsProtocolError(`unknown request kind ${String(value.kind)}`);
}

/** A uint64 as dag-cbor decodes it (a number when safe, else a bigint), or null. */
function asEpoch(value: unknown): bigint | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "bigint" && value >= 0n && value < 1n << 64n) return value;
  return null;
}

export function roundsHandler(options: RoundsHandlerOptions): (stream: Stream, connection: Connection) => Promise<void> {
  return async (stream, connection) => {
    const peer = connection.remotePeer;
    if (!options.isMemberPeer(peer)) {
      stream.abort(new RoundsProtocolError("rounds are for ring members"));
      return;
    }
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE });
      const request = decodeRequest((await lp.read({ signal: AbortSignal.timeout(options.timeoutMs) })).subarray());
      const answer: RoundsAnswer =
        request.ring.toLowerCase() !== options.ring.toLowerCase()
          ? { kind: "refuse", reason: "another ring" }
          : await options.answer(peer, request, AbortSignal.timeout(options.answerTimeoutMs)).catch((error: unknown) => ({ kind: "refuse" as const, reason: `${(error as Error).name}: ${(error as Error).message}` }));
      await lp.write(dagCbor.encode(answer), { signal: AbortSignal.timeout(options.timeoutMs) });
      await stream.close({ signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      options.logger.debug({ err: error, peer: peer.toString() }, "rounds request (inbound) failed");
      stream.abort(error as Error);
    }
  };
}

/** Sends one request to `peer` and returns its answer, within `timeoutMs`. */
export async function askPeer(libp2p: Pick<Libp2p, "dialProtocol">, peer: PeerId, request: RoundsRequest, timeoutMs: number): Promise<RoundsAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const stream = await libp2p.dialProtocol(peer, ROUNDS_PROTOCOL, { signal });
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE });
    await lp.write(dagCbor.encode(request), { signal });
    const answer = dagCbor.decode<RoundsAnswer>((await lp.read({ signal })).subarray());
    await stream.close({ signal });
    return answer;
  } catch (error) {
    stream.abort(error as Error);
    throw error;
  }
}
