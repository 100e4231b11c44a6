/**
 * The fast catch-up path: a member asks a peer for one author's nodes from a seq up to a head, and
 * the peer streams them in ascending order, in frames of up to ~1 MiB. The requester verifies each
 * frame (see log/verify.ts) before it keeps anything; every wait has a timeout.
 *
 * The requester trusts nothing of the answer's shape either (LogSyncRangeCheck): the header's
 * `count` must fit the claimed range, every block must carry the next seq (so each frame moves the
 * range on and a peer cannot keep it busy with nodes already sent or held), nothing may follow the
 * requested head, and the whole range has an overall deadline besides the wait per message.
 */
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import type { Logger } from "pino";
import type { LogStore } from "../log/store.js";
import type { ReceivedBlock } from "../log/verify.js";
import {
  decodeBlockFrame,
  decodeLogSyncHeader,
  decodeLogSyncRequest,
  encodeBlockFrame,
  encodeLogSyncHeader,
  encodeLogSyncRequest,
  type LogSyncRequest,
} from "./messages.js";
import * as dagCbor from "@ipld/dag-cbor";
import { LogSyncDeadlineError, LogSyncProtocolError, LogSyncRefusedError } from "./errors.js";
import { LOG_SYNC_PROTOCOL } from "./protocols.js";

const MAX_FRAME = 4 * 1024 * 1024;
const FRAME_TARGET = 1024 * 1024;

export { LogSyncRefusedError };

export interface LogSyncServerOptions {
  store: Pick<LogStore, "cidAt" | "readBytes" | "readNode" | "holds">;
  ring: string;
  /** Only members may ask. */
  isMemberPeer(peer: PeerId): boolean;
  timeoutMs: number;
  logger: Logger;
}

/** Serves log-sync requests from the store. */
export function logSyncHandler(options: LogSyncServerOptions): (stream: Stream, connection: Connection) => Promise<void> {
  return async (stream, connection) => {
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME });
    try {
      if (!options.isMemberPeer(connection.remotePeer)) {
        stream.abort(new LogSyncRefusedError("log-sync is for ring members"));
        return;
      }
      const request = decodeLogSyncRequest((await lp.read({ signal: AbortSignal.timeout(options.timeoutMs) })).subarray());
      const refuse = async (error: string) => {
        await lp.write(encodeLogSyncHeader({ ok: false, count: 0, error }), { signal: AbortSignal.timeout(options.timeoutMs) });
        await stream.close({ signal: AbortSignal.timeout(options.timeoutMs) });
      };
      if (request.ring !== options.ring) return await refuse(`wrong ring ${request.ring}`);
      const last = await seqOfHeldHead(options.store, request);
      if (last === null) return await refuse(`head ${request.to.toString()} of ${request.author} is not held here`);
      const first = Math.min(request.from, last + 1);
      await lp.write(encodeLogSyncHeader({ ok: true, count: last - first + 1 }), { signal: AbortSignal.timeout(options.timeoutMs) });
      let frame: ReceivedBlock[] = [];
      let frameBytes = 0;
      for (let seq = first; seq <= last; seq++) {
        const cid = options.store.cidAt(request.author, seq);
        const bytes = cid === undefined ? null : await options.store.readBytes(cid);
        if (cid === undefined || bytes === null) break; // the requester will find the range incomplete
        frame.push({ cid, bytes });
        frameBytes += bytes.length + 40;
        if (frameBytes >= FRAME_TARGET || seq === last) {
          await lp.write(encodeBlockFrame(frame), { signal: AbortSignal.timeout(options.timeoutMs) });
          frame = [];
          frameBytes = 0;
        }
      }
      if (frame.length > 0) await lp.write(encodeBlockFrame(frame), { signal: AbortSignal.timeout(options.timeoutMs) });
      await stream.close({ signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      options.logger.debug({ err: error, peer: connection.remotePeer.toString() }, "log-sync request failed");
      stream.abort(error as Error);
    }
  };
}

/** The seq of `request.to` if it is the requested author's node held here, else null. */
async function seqOfHeldHead(store: LogSyncServerOptions["store"], request: LogSyncRequest): Promise<number | null> {
  const node = await store.readNode(request.to).catch(() => null);
  if (node === null || node.node.author !== request.author) return null;
  return store.holds(request.author, node.node.seq, request.to) ? node.node.seq : null;
}

export interface LogSyncFetchOptions {
  /** Abandon when the peer sends nothing for this long. */
  timeoutMs: number;
  /** Abandon the whole range after this long (LogSyncDeadlineError), however steadily it arrives. */
  deadlineMs: number;
  /** Most nodes the range may have: a header announcing more is refused (LogSyncProtocolError). */
  maxCount: number;
  signal?: AbortSignal;
}

/**
 * What a log-sync answer must be, checked as it arrives: a header whose count is at most
 * `maxCount`, then blocks with consecutive seqs from `request.from` on (the first may be later,
 * e.g. a peer that leaves out the one held node the range overlaps; read from the unverified bytes,
 * verification follows), no more than the count, none after the block of `request.to`.
 */
export class LogSyncRangeCheck {
  private nextSeq: number | undefined = undefined;
  private count = 0;
  private received = 0;
  private ended = false;

  constructor(
    private readonly request: LogSyncRequest,
    private readonly maxCount: number,
  ) {}

  /** Whether the announced count has arrived. */
  get complete(): boolean {
    return this.received >= this.count;
  }

  header(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0 || count > this.maxCount) {
      throw new LogSyncProtocolError(`log-sync header announces ${count} nodes, more than the ${this.maxCount} of the claimed range`);
    }
    this.count = count;
  }

  frame(blocks: readonly ReceivedBlock[]): void {
    for (const block of blocks) {
      if (this.ended) throw new LogSyncProtocolError(`log-sync sent ${block.cid.toString()} after the requested head ${this.request.to.toString()}`);
      if (this.received >= this.count) throw new LogSyncProtocolError(`log-sync sent more than the ${this.count} nodes it announced`);
      const seq = seqOf(block.bytes);
      const due = this.nextSeq === undefined ? `${this.request.from} or later` : String(this.nextSeq);
      if (seq === undefined || (this.nextSeq === undefined ? seq < this.request.from : seq !== this.nextSeq)) {
        throw new LogSyncProtocolError(`log-sync frame does not advance the range: seq ${String(seq)} where ${due} was due`);
      }
      this.nextSeq = seq + 1;
      this.received += 1;
      if (block.cid.equals(this.request.to)) this.ended = true;
    }
  }
}

/** The `seq` field of an unverified block, if it has one. */
function seqOf(bytes: Uint8Array): number | undefined {
  try {
    const value: unknown = dagCbor.decode(bytes);
    const seq = value !== null && typeof value === "object" ? (value as { seq?: unknown }).seq : undefined;
    return typeof seq === "number" ? seq : undefined;
  } catch {
    return undefined;
  }
}

/** Asks `peer` for a range and yields it frame by frame (shape checked, contents unverified: the caller verifies). */
export async function* fetchLogRange(libp2p: Pick<Libp2p, "dialProtocol">, peer: PeerId, request: LogSyncRequest, options: LogSyncFetchOptions): AsyncGenerator<ReceivedBlock[]> {
  const deadline = AbortSignal.timeout(options.deadlineMs);
  const outer = options.signal === undefined ? [deadline] : [options.signal, deadline];
  const wait = () => AbortSignal.any([...outer, AbortSignal.timeout(options.timeoutMs)]);
  const check = new LogSyncRangeCheck(request, options.maxCount);
  let stream: Stream | undefined;
  let completed = false;
  try {
    stream = await libp2p.dialProtocol(peer, LOG_SYNC_PROTOCOL, { signal: wait() });
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME });
    await lp.write(encodeLogSyncRequest(request), { signal: wait() });
    const header = decodeLogSyncHeader((await lp.read({ signal: wait() })).subarray());
    if (!header.ok) throw new LogSyncRefusedError(header.error ?? "refused");
    check.header(header.count);
    while (!check.complete) {
      let frameBytes: Uint8Array;
      try {
        frameBytes = (await lp.read({ signal: wait() })).subarray();
      } catch (error) {
        if ((error as Error).name === "UnexpectedEOFError") break; // a short range: the verifier decides
        throw error;
      }
      const frame = decodeBlockFrame(frameBytes);
      if (frame.length === 0) break;
      check.frame(frame);
      yield frame;
      if (deadline.aborted) throw deadline.reason;
    }
    completed = true;
  } catch (error) {
    if (deadline.aborted && !(error instanceof LogSyncProtocolError)) {
      throw new LogSyncDeadlineError(`log-sync of ${request.author} from ${peer.toString()} not complete within ${options.deadlineMs} ms`);
    }
    throw error;
  } finally {
    if (completed) await stream?.close({ signal: wait() }).catch(() => undefined);
    else stream?.abort(new Error("log-sync abandoned"));
  }
}
