/**
 * Direct head exchange: on connecting (and periodically) members send each other every head they
 * hold, since pubsub does not guarantee delivery. Each side answers with its own heads.
 */
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import type { Logger } from "pino";
import { decodeHeads, encodeHeads, type HeadClaim, type HeadsMessage } from "./messages.js";
import { HEADS_PROTOCOL } from "./protocols.js";

const MAX_HEADS_MESSAGE = 1024 * 1024;

export interface HeadExchangeOptions {
  ring: string;
  isMemberPeer(peer: PeerId): boolean;
  /** This node's heads, sent to the peer. */
  localHeads(): HeadClaim[];
  /** Heads the peer claims. */
  onHeads(peer: PeerId, heads: HeadClaim[]): void;
  timeoutMs: number;
  logger: Logger;
}

export function headExchangeHandler(options: HeadExchangeOptions): (stream: Stream, connection: Connection) => Promise<void> {
  return async (stream, connection) => {
    const peer = connection.remotePeer;
    if (!options.isMemberPeer(peer)) {
      stream.abort(new Error("head exchange is for ring members"));
      return;
    }
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_HEADS_MESSAGE });
      const theirs = decodeHeads((await lp.read({ signal: AbortSignal.timeout(options.timeoutMs) })).subarray());
      await lp.write(encodeHeads({ ring: options.ring, heads: options.localHeads() }), { signal: AbortSignal.timeout(options.timeoutMs) });
      await stream.close({ signal: AbortSignal.timeout(options.timeoutMs) });
      if (theirs.ring === options.ring) options.onHeads(peer, theirs.heads);
    } catch (error) {
      options.logger.debug({ err: error, peer: peer.toString() }, "head exchange (inbound) failed");
      stream.abort(error as Error);
    }
  };
}

/** Sends our heads to `peer` and returns its heads. */
export async function exchangeHeads(libp2p: Libp2p, peer: PeerId, options: HeadExchangeOptions): Promise<HeadsMessage> {
  const stream = await libp2p.dialProtocol(peer, HEADS_PROTOCOL, { signal: AbortSignal.timeout(options.timeoutMs) });
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_HEADS_MESSAGE });
    await lp.write(encodeHeads({ ring: options.ring, heads: options.localHeads() }), { signal: AbortSignal.timeout(options.timeoutMs) });
    const theirs = decodeHeads((await lp.read({ signal: AbortSignal.timeout(options.timeoutMs) })).subarray());
    await stream.close({ signal: AbortSignal.timeout(options.timeoutMs) });
    return theirs;
  } catch (error) {
    stream.abort(error as Error);
    throw error;
  }
}
