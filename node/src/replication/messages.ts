/** dag-cbor messages of the replication protocols, validated on decode. */
import * as dagCbor from "@ipld/dag-cbor";
import { getAddress } from "ethers";
import { CID } from "multiformats/cid";
import { ProtocolMessageError } from "./errors.js";

export { ProtocolMessageError };

export interface HeadClaim {
  author: string;
  seq: number;
  cid: CID;
}

export interface HeadsMessage {
  ring: string;
  heads: HeadClaim[];
}

export interface LogSyncRequest {
  ring: string;
  author: string;
  /** First seq wanted (inclusive): the requester's head seq, so a fork there shows up at once. */
  from: number;
  /** The head to stop at. */
  to: CID;
}

export interface LogSyncHeader {
  ok: boolean;
  /** Number of (cid, bytes) pairs that follow. */
  count: number;
  error?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !(value instanceof Uint8Array) && !Array.isArray(value);
}

function decodeMap(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    throw new ProtocolMessageError(`${what}: not dag-cbor (${(error as Error).message})`);
  }
  if (!isObject(value)) throw new ProtocolMessageError(`${what}: not a map`);
  return value;
}

function address(value: unknown, what: string): string {
  if (typeof value !== "string") throw new ProtocolMessageError(`${what}: not an address`);
  try {
    return getAddress(value);
  } catch {
    throw new ProtocolMessageError(`${what}: not an address`);
  }
}

function seq(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new ProtocolMessageError(`${what}: not a seq`);
  return value;
}

function cid(value: unknown, what: string): CID {
  const parsed = CID.asCID(value);
  if (parsed === null) throw new ProtocolMessageError(`${what}: not a CID`);
  return parsed;
}

export function decodeHeadClaim(value: unknown): HeadClaim {
  if (!isObject(value)) throw new ProtocolMessageError("head: not a map");
  return { author: address(value.author, "head.author"), seq: seq(value.seq, "head.seq"), cid: cid(value.cid, "head.cid") };
}

export function encodeHeads(message: HeadsMessage): Uint8Array {
  return dagCbor.encode({ ring: message.ring, heads: message.heads.map((h) => ({ author: h.author, seq: h.seq, cid: h.cid })) });
}

export function decodeHeads(bytes: Uint8Array): HeadsMessage {
  const map = decodeMap(bytes, "heads");
  if (!Array.isArray(map.heads)) throw new ProtocolMessageError("heads: heads must be a list");
  return { ring: address(map.ring, "heads.ring"), heads: map.heads.map(decodeHeadClaim) };
}

/**
 * Bytes of nodes an announcement carries inline (64 KiB, at most ANNOUNCED_MAX_BLOCKS nodes): a
 * receiver that holds the node before them keeps them from the announcement, verified like
 * fetched nodes, with no fetch round trip; what does not fit is fetched.
 */
export const ANNOUNCED_BLOCKS_MAX_BYTES = 64 * 1024;
export const ANNOUNCED_MAX_BLOCKS = 64;

/** A pubsub announcement: one head claim of the ring, with the newest nodes up to the head when they fit. */
export interface Announcement {
  ring: string;
  head: HeadClaim;
  /** Consecutive nodes of the author's log ending with the head (ascending); untrusted until verified. */
  blocks: Uint8Array[];
}

/** The newest of `blocks` (ascending, the head last) that fit an announcement together. */
export function announcedBlocks(blocks: readonly Uint8Array[]): Uint8Array[] {
  const fitting: Uint8Array[] = [];
  let bytes = 0;
  for (let i = blocks.length - 1; i >= 0 && fitting.length < ANNOUNCED_MAX_BLOCKS; i--) {
    const block = blocks[i] as Uint8Array;
    if (bytes + block.length > ANNOUNCED_BLOCKS_MAX_BYTES) break;
    bytes += block.length;
    fitting.unshift(block);
  }
  return fitting;
}

export function encodeAnnouncement(ring: string, head: HeadClaim, blocks: readonly Uint8Array[] = []): Uint8Array {
  const claim = { ring, author: head.author, seq: head.seq, cid: head.cid };
  const inline = announcedBlocks(blocks);
  return dagCbor.encode(inline.length > 0 ? { ...claim, blocks: inline } : claim);
}

export function decodeAnnouncement(bytes: Uint8Array): Announcement {
  const map = decodeMap(bytes, "announcement");
  const announcement: Announcement = { ring: address(map.ring, "announcement.ring"), head: decodeHeadClaim(map), blocks: [] };
  if (map.blocks === undefined) return announcement;
  if (!Array.isArray(map.blocks) || map.blocks.length > ANNOUNCED_MAX_BLOCKS || map.blocks.some((block) => !(block instanceof Uint8Array))) {
    throw new ProtocolMessageError(`announcement.blocks: not a list of at most ${ANNOUNCED_MAX_BLOCKS} byte strings`);
  }
  const blocks = map.blocks as Uint8Array[];
  if (blocks.reduce((sum, block) => sum + block.length, 0) > ANNOUNCED_BLOCKS_MAX_BYTES) throw new ProtocolMessageError(`announcement.blocks: over ${ANNOUNCED_BLOCKS_MAX_BYTES} bytes`);
  announcement.blocks = blocks;
  return announcement;
}

export function encodeLogSyncRequest(request: LogSyncRequest): Uint8Array {
  return dagCbor.encode({ ring: request.ring, author: request.author, from: request.from, to: request.to });
}

export function decodeLogSyncRequest(bytes: Uint8Array): LogSyncRequest {
  const map = decodeMap(bytes, "log-sync request");
  return {
    ring: address(map.ring, "request.ring"),
    author: address(map.author, "request.author"),
    from: seq(map.from, "request.from"),
    to: cid(map.to, "request.to"),
  };
}

export function encodeLogSyncHeader(header: LogSyncHeader): Uint8Array {
  return dagCbor.encode(header.error === undefined ? { ok: header.ok, count: header.count } : header);
}

export function decodeLogSyncHeader(bytes: Uint8Array): LogSyncHeader {
  const map = decodeMap(bytes, "log-sync header");
  if (typeof map.ok !== "boolean") throw new ProtocolMessageError("log-sync header: ok must be a boolean");
  const header: LogSyncHeader = { ok: map.ok, count: seq(map.count, "header.count") };
  if (typeof map.error === "string") header.error = map.error;
  return header;
}

/** One frame of a log-sync response: consecutive blocks as (cid, bytes) pairs. */
export function encodeBlockFrame(blocks: Array<{ cid: CID; bytes: Uint8Array }>): Uint8Array {
  return dagCbor.encode(blocks.map((block) => [block.cid, block.bytes]));
}

export function decodeBlockFrame(bytes: Uint8Array): Array<{ cid: CID; bytes: Uint8Array }> {
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    throw new ProtocolMessageError(`block frame: not dag-cbor (${(error as Error).message})`);
  }
  if (!Array.isArray(value)) throw new ProtocolMessageError("block frame: not a list");
  return value.map((pair: unknown) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !(pair[1] instanceof Uint8Array)) throw new ProtocolMessageError("block frame: entries are [cid, bytes]");
    return { cid: cid(pair[0], "block.cid"), bytes: pair[1] };
  });
}
