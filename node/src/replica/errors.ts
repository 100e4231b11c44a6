/** Errors of the replica side (following client rings). */

/** The ring head a replica follows is not a ring log node of that ring (wrong bytes, too large, wrong shape). */
export class RingHeadInvalidError extends Error {
  override name = "RingHeadInvalidError";
}
