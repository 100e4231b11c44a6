/**
 * Errors of the typed client's replay (replayVerify.ts, replicaReplay.ts); each has a stable `name`
 * callers can branch on. All are ReplayVerificationError: what a member or replica gave is refused.
 * The log layer's own refusal (TamperedBlockError, WrongSignerError, ... in log/errors.ts) is the
 * `cause` where it was that check that failed.
 */

/** What a source gave for a replay does not verify. */
export class ReplayVerificationError extends Error {
  override name = "ReplayVerificationError";
}

/** A log node fails the log layer's checks (its CID, signature, ring, author or links): `cause` says which. */
export class ReplayNodeRefusedError extends ReplayVerificationError {
  override name = "ReplayNodeRefusedError";
}

/** A verified node is not the message given with it (another author, seq, time or entry). */
export class ReplayMessageMismatchError extends ReplayVerificationError {
  override name = "ReplayMessageMismatchError";
}

/** An encrypted entry opens with none of the read keys given (or none was given). */
export class ReplayUnreadableError extends ReplayVerificationError {
  override name = "ReplayUnreadableError";
}

/** A round does not match the chain: no logged proposal rebuilds to its ring head, or its cut names nodes the logs do not hold as named. */
export class ReplayCutMismatchError extends ReplayVerificationError {
  override name = "ReplayCutMismatchError";
}

/** The source gave less than the chain's rounds cover (a log ends below a cut, a proposal is missing). */
export class ReplayIncompleteError extends ReplayVerificationError {
  override name = "ReplayIncompleteError";
}
