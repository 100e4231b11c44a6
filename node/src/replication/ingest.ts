/**
 * The one way a batch of another member's log nodes enters this node, whether it was fetched over
 * bitswap, streamed by log-sync or pushed by the rounds: verify it (log/verify.ts), keep it
 * (`LogStore.append`), and if it is refused, keep fork evidence and record the refusal (refusal log
 * and `rejected` event). A batch that merely does not connect to the held log yet is not a refusal
 * here: the caller knows whether another way of fetching may still complete it.
 */
import type { PeerId } from "@libp2p/interface";
import type { EncodedLogNode } from "../core/logNode.js";
import { ForkDetectedError, LogReplicationIncompleteError, LogVerificationError } from "../log/errors.js";
import type { LogStore } from "../log/store.js";
import { verifyBatch, verifyWalkedBlock, type ReceivedBlock, type VerificationContext } from "../log/verify.js";
import type { IngestSource, RefusalLog } from "./refusalLog.js";

export interface IngestComponents {
  /** What verification reads and where the batch is kept. */
  logs: VerificationContext["store"] & Pick<LogStore, "append" | "hasFork" | "recordFork">;
  verification: Omit<VerificationContext, "store">;
  refusals: Pick<RefusalLog, "record">;
}

export interface IngestOptions {
  /** Runs after a refusal and before it is recorded (the bitswap fetch deletes the blocks it fetched). */
  discard?(): Promise<void>;
}

/** Whether `error` is a refusal of the batch itself, as opposed to a batch that does not connect yet. */
export function isRefusal(error: unknown): error is LogVerificationError {
  return error instanceof LogVerificationError && !(error instanceof LogReplicationIncompleteError);
}

export class Ingest {
  private readonly context: VerificationContext;

  constructor(private readonly components: IngestComponents) {
    this.context = { ...components.verification, store: components.logs };
  }

  /**
   * Verifies `blocks` (one author's nodes, ascending seq) and keeps those that extend the held log;
   * resolves with how many were kept (0 when all were held already). Rejects with the error when
   * the batch is not kept. A refusal (any verification failure but LogReplicationIncompleteError)
   * is recorded first, with `source` and `peer`, and a fork's evidence is kept in the store once.
   * LogReplicationIncompleteError and other errors (a store race) are thrown without a record.
   */
  async ingest(author: string, blocks: readonly ReceivedBlock[], source: IngestSource, peer: PeerId | null, options: IngestOptions = {}): Promise<number> {
    try {
      const batch = await verifyBatch(this.context, author, [...blocks]);
      if (batch.nodes.length === 0) return 0;
      // Another intake of this log may have kept some of them since verification: append skips those.
      return await this.components.logs.append(author, batch.nodes, false);
    } catch (error) {
      throw await this.refused(error, author, source, peer, options);
    }
  }

  /**
   * Checks one block of `author`'s log as it arrives, before more are fetched (a walk back along
   * `prev` links): CID, shape, signature, ring, member author, the author asked for, and `seq`
   * when the walk knows which is due. Keeps nothing; a refusal is recorded as `ingest` does.
   */
  async checkBlock(author: string, block: ReceivedBlock, expectedSeq: number | undefined, source: IngestSource, peer: PeerId | null, options: IngestOptions = {}): Promise<EncodedLogNode> {
    try {
      return await verifyWalkedBlock(this.context, author, block, expectedSeq);
    } catch (error) {
      throw await this.refused(error, author, source, peer, options);
    }
  }

  /** Records a refusal (after `discard`, keeping a fork's evidence once); returns the error to throw. */
  private async refused(error: unknown, author: string, source: IngestSource, peer: PeerId | null, options: IngestOptions): Promise<unknown> {
    if (!isRefusal(error)) return error;
    const { logs, refusals } = this.components;
    await options.discard?.();
    const evidence = error instanceof ForkDetectedError ? error.evidence : undefined;
    if (evidence !== undefined && !(await logs.hasFork(evidence.author, evidence.seq))) await logs.recordFork(evidence);
    refusals.record({ author, peer: peer?.toString() ?? null, error, source, ...(evidence === undefined ? {} : { evidence }) });
    return error;
  }
}
