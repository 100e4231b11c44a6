/** What the command line refuses before doing anything: each with a stable `name`. */

/** A flag or argument that is missing or malformed (the message names it). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A key rotation step that cannot be taken now (not a member, nothing started, the vote not passed). */
export class RotationPendingError extends Error {
  override name = "RotationPendingError";
}
