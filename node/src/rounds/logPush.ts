/**
 * The rounds' fast path for log nodes: a member pushes each rounds entry it appends (job, shard
 * result, proposal) straight to the connected members, who take it in through replication's one
 * ingest path (replication/ingest.ts: verified exactly as a fetched batch, kept, or refused and
 * recorded with source "push"; a fork's evidence surfaces through the replicator's `rejected`
 * event, which the fork prover follows). A push that does not connect to what a member holds yet
 * (a race with replication) is no refusal: replication is asked for the head instead.
 */
import type { PeerId } from "@libp2p/interface";
import type { CID } from "multiformats/cid";
import type { Logger } from "pino";
import type { EncodedLogNode } from "../core/logNode.js";
import type { Replicator } from "../replication/replicator.js";
import { isRefusal } from "../replication/ingest.js";
import { askPeer, type RoundsRequest } from "./roundsProtocol.js";

export interface PushedBlock {
  cid: CID;
  bytes: Uint8Array;
}

export interface LogPushComponents {
  /** Opens the rounds protocol stream to each member (what `askPeer` takes). */
  streams: Parameters<typeof askPeer>[0];
  /** The ring's address (as in the rounds requests). */
  ring: string;
  replicator: Pick<Replicator, "ingest" | "want">;
  logger: Logger;
  /** Bound on one push to one peer. */
  timeoutMs?: number;
}

export class LogPush {
  constructor(private readonly components: LogPushComponents) {}

  /** Sends `nodes` (consecutive, of one author) to every peer in `peers`; failures are only logged. */
  push(peers: Iterable<PeerId>, author: string, nodes: readonly EncodedLogNode[]): void {
    const { streams, ring, logger, timeoutMs } = this.components;
    const request: RoundsRequest = { kind: "nodes", ring, author, blocks: nodes.map((node) => ({ cid: node.cid, bytes: node.bytes })) };
    for (const peer of peers) {
      void askPeer(streams, peer, request, timeoutMs ?? 5_000).catch((error: unknown) => logger.debug({ err: error, peer: peer.toString() }, "log push failed"));
    }
  }

  /** Keeps pushed nodes (from `peer`) that extend the held log; returns how many were kept. */
  async receive(author: string, blocks: readonly PushedBlock[], peer: PeerId | null): Promise<number> {
    const { replicator, logger } = this.components;
    const last = blocks.at(-1);
    if (last === undefined) return 0;
    try {
      return await replicator.ingest(author, blocks, "push", peer);
    } catch (error) {
      // A refusal is recorded by ingest (and a fork proven from its evidence): nothing more to do.
      if (isRefusal(error)) return 0;
      // A gap, or a race with replication: let replication fetch the head the ordinary way.
      logger.debug({ err: error, author }, "pushed nodes not kept yet; asking replication for the head");
      replicator.want(author, last.cid, "exchange");
      return 0;
    }
  }
}

/** What one push carries: the last nodes of a group commit (a member further behind catches up by replication). */
export function pushableTail(nodes: readonly EncodedLogNode[]): EncodedLogNode[] {
  return nodes.slice(-32);
}
