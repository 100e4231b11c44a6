/**
 * The refusal log: the most recent batches this node refused, and why, for `ring-node status`, the
 * control API and the metrics. Each refusal is also dispatched as a `rejected` event (the rounds'
 * fork prover listens for the evidence one may carry).
 */
import type { TypedEventTarget } from "main-event";
import type { Logger } from "pino";
import { LogVerificationError } from "../log/errors.js";
import type { ForkEvidence } from "../log/forkEvidence.js";

/** Where a batch came from: fetched block by block, fetched with log-sync, or pushed by its author's rounds. */
export type IngestSource = "bitswap" | "log-sync" | "push" | "announcement";

export interface Rejection {
  at: number;
  author: string;
  peer: string | null;
  error: string;
  message: string;
  cid?: string;
  /** How the refused batch arrived, when a batch was received at all (a fetch that timed out has none). */
  source?: IngestSource;
}

export interface RejectedDetail {
  rejection: Rejection;
  /** Set when the refusal is a fork: the signed pair, already kept in the store. */
  evidence?: ForkEvidence;
}

export interface RefusalEvents {
  rejected: CustomEvent<RejectedDetail>;
}

export interface Refusal {
  author: string;
  peer: string | null;
  error: unknown;
  source?: IngestSource;
  evidence?: ForkEvidence;
  /** Logged with the refusal (for example the claim's source). */
  context?: Record<string, unknown>;
}

const MAX_REJECTIONS = 200;

export class RefusalLog {
  private readonly entries: Rejection[] = [];
  /** Errors already recorded, so a refusal found deep in a fetch is not recorded again on the way out. */
  private readonly recorded = new WeakSet<object>();

  constructor(
    private readonly events: Pick<TypedEventTarget<RefusalEvents>, "safeDispatchEvent">,
    private readonly logger: Logger,
    private readonly limit = MAX_REJECTIONS,
  ) {}

  /** Keeps the refusal (dropping the oldest beyond the limit), logs it and dispatches `rejected`. */
  record(refusal: Refusal): Rejection {
    const { error } = refusal;
    const name = error instanceof Error ? error.name : "Error";
    const message = error instanceof Error ? error.message : String(error);
    const rejection: Rejection = { at: Date.now(), author: refusal.author, peer: refusal.peer, error: name, message };
    if (error instanceof LogVerificationError && error.cid !== undefined) rejection.cid = error.cid;
    if (refusal.source !== undefined) rejection.source = refusal.source;
    if (error !== null && typeof error === "object") this.recorded.add(error);
    this.entries.push(rejection);
    if (this.entries.length > this.limit) this.entries.shift();
    const level = error instanceof LogVerificationError ? "warn" : "info";
    this.logger[level]({ author: refusal.author, peer: refusal.peer, error: name, cid: rejection.cid, source: refusal.source, ...refusal.context, msg: message }, "refused a batch");
    const detail: RejectedDetail = refusal.evidence === undefined ? { rejection } : { rejection, evidence: refusal.evidence };
    this.events.safeDispatchEvent("rejected", { detail });
    return rejection;
  }

  /** Whether `error` is already in the log. */
  has(error: unknown): boolean {
    return error !== null && typeof error === "object" && this.recorded.has(error);
  }

  /** The most recent refusals, newest last. */
  list(): Rejection[] {
    return [...this.entries];
  }
}
