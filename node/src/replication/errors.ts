/**
 * Errors of replication's own protocols and fetches, each with a stable `name`. Why a received batch
 * was refused is said by the log's verification errors (log/errors.ts), not here.
 */

/** A block wanted over bitswap did not arrive in time. */
export class BlockFetchTimeoutError extends Error {
  override name = "BlockFetchTimeoutError";
}

/** The peer refused a log-sync request (not a member, wrong ring, head not held). */
export class LogSyncRefusedError extends Error {
  override name = "LogSyncRefusedError";
}

/** A replication protocol message that does not decode as what it must be. */
export class ProtocolMessageError extends Error {
  override name = "ProtocolMessageError";
}

/** A log-sync answer that leaves what was asked: a count beyond the claim, a frame that does not advance the seq, nodes past the head. */
export class LogSyncProtocolError extends Error {
  override name = "LogSyncProtocolError";
}

/** A log-sync range was not complete by its overall deadline (what arrived before it is kept). */
export class LogSyncDeadlineError extends Error {
  override name = "LogSyncDeadlineError";
}
