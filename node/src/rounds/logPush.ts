/**
 * The rounds' fast path for log nodes: a member pushes each rounds entry it appends (job, shard
 * result, proposal) straight to the connected members, who verify it exactly as replication does
 * (log/verify.ts: signature, author, membership, seq, link to the held head, forks) and keep it.
 * Anything that does not connect to what a member holds is left to ordinary replication, which
 * is asked for the head; a fork found on the way is kept as evidence.
 */
import type { Libp2p, PeerId } from "@libp2p/interface";
import type { TypedDataDomain } from "ethers";
import type { CID } from "multiformats/cid";
import type { Logger } from "pino";
import type { EncodedLogNode } from "../core/logNode.js";
import { ForkDetectedError, LogReplicationIncompleteError } from "../log/errors.js";
import type { ForkEvidence } from "../log/forkEvidence.js";
import type { LogStore } from "../log/store.js";
import { verifyBatch } from "../log/verify.js";
import type { Replicator } from "../replication/replicator.js";
import { askPeer, type RoundsRequest } from "./roundsProtocol.js";

export interface PushedBlock {
  cid: CID;
  bytes: Uint8Array;
}

export interface LogPushOptions {
  libp2p: Libp2p;
  store: LogStore;
  replicator: Replicator;
  domain: TypedDataDomain;
  ring: string;
  isMember(address: string): boolean;
  onFork(evidence: ForkEvidence): void;
  logger: Logger;
  timeoutMs?: number;
}

export class LogPush {
  constructor(private readonly options: LogPushOptions) {}

  /** Sends `nodes` (consecutive, of one author) to every peer in `peers`; failures are only logged. */
  push(peers: Iterable<PeerId>, author: string, nodes: readonly EncodedLogNode[]): void {
    const request: RoundsRequest = { kind: "nodes", ring: this.options.ring, author, blocks: nodes.map((node) => ({ cid: node.cid, bytes: node.bytes })) };
    for (const peer of peers) {
      void askPeer(this.options.libp2p, peer, request, this.options.timeoutMs ?? 5_000).catch((error: unknown) =>
        this.options.logger.debug({ err: error, peer: peer.toString() }, "log push failed"),
      );
    }
  }

  /** Keeps pushed nodes that extend the held log; returns how many were kept. */
  async receive(author: string, blocks: readonly PushedBlock[]): Promise<number> {
    const { store, replicator } = this.options;
    const last = blocks.at(-1);
    if (last === undefined) return 0;
    try {
      const batch = await verifyBatch({ domain: this.options.domain, isMember: (a) => this.options.isMember(a), store }, author, [...blocks]);
      if (batch.nodes.length === 0) return 0;
      await store.append(author, batch.nodes, false);
      return batch.nodes.length;
    } catch (error) {
      if (error instanceof ForkDetectedError) {
        if (!(await store.hasFork(error.evidence.author, error.evidence.seq))) await store.recordFork(error.evidence);
        this.options.onFork(error.evidence);
        return 0;
      }
      if (!(error instanceof LogReplicationIncompleteError)) this.options.logger.debug({ err: error, author }, "pushed nodes not kept");
      // A gap (or a race with replication): let replication fetch the head the ordinary way.
      replicator.want(author, last.cid, "exchange");
      return 0;
    }
  }
}
