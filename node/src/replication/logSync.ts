/**
 * The fast catch-up path: a member asks a peer for one author's nodes from a seq up to a head, and
 * the peer streams them in ascending order, in frames of up to ~1 MiB. The requester verifies each
 * frame (see log/verify.ts) before it keeps anything; every wait has a timeout.
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
import { LogSyncRefusedError } from "./errors.js";
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
  signal?: AbortSignal;
}

/** Asks `peer` for a range and yields it frame by frame (unverified: the caller verifies). */
export async function* fetchLogRange(libp2p: Pick<Libp2p, "dialProtocol">, peer: PeerId, request: LogSyncRequest, options: LogSyncFetchOptions): AsyncGenerator<ReceivedBlock[]> {
  const wait = () => (options.signal === undefined ? AbortSignal.timeout(options.timeoutMs) : AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]));
  const stream = await libp2p.dialProtocol(peer, LOG_SYNC_PROTOCOL, { signal: wait() });
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME });
  let completed = false;
  try {
    await lp.write(encodeLogSyncRequest(request), { signal: wait() });
    const header = decodeLogSyncHeader((await lp.read({ signal: wait() })).subarray());
    if (!header.ok) throw new LogSyncRefusedError(header.error ?? "refused");
    let received = 0;
    while (received < header.count) {
      let frameBytes: Uint8Array;
      try {
        frameBytes = (await lp.read({ signal: wait() })).subarray();
      } catch (error) {
        if ((error as Error).name === "UnexpectedEOFError") break; // a short range: the verifier decides
        throw error;
      }
      const frame = decodeBlockFrame(frameBytes);
      if (frame.length === 0) break;
      received += frame.length;
      yield frame;
    }
    completed = true;
  } finally {
    if (completed) await stream.close({ signal: wait() }).catch(() => undefined);
    else stream.abort(new Error("log-sync abandoned"));
  }
}
