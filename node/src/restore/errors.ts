/**
 * Why a member refuses to start appending: its store holds less of its own log than the chain
 * names for it (or something else), and appending now would fork its own log. Each carries the exit
 * code `ring-node start` ends with (REFUSED_TO_FORK_EXIT_CODE), and nothing has been written.
 */

/** The exit code of `ring-node start` when it refuses to append rather than fork its own log. */
export const REFUSED_TO_FORK_EXIT_CODE = 3;

export class RefusedToForkError extends Error {
  override name = "RefusedToForkError";
  readonly exitCode = REFUSED_TO_FORK_EXIT_CODE;
}

/** The chain names a head of this member's log beyond what its store holds, and no source has the missing nodes. */
export class OwnLogBehindChainError extends RefusedToForkError {
  override name = "OwnLogBehindChainError";
}

/** The chain names a node of this member's log at a seq where its store holds another one. */
export class OwnLogDivergesError extends RefusedToForkError {
  override name = "OwnLogDivergesError";
}

/** The ring's latest round names heads in a block no source has, and the store holds none of this member's log. */
export class OwnHeadUnknownError extends RefusedToForkError {
  override name = "OwnHeadUnknownError";
}

/** The log to restore is longer than the bound on one restore. */
export class RestoreTooLongError extends RefusedToForkError {
  override name = "RestoreTooLongError";
}
