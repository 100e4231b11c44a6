/** Errors of the replica side (following client rings). */

/** The ring head a replica follows is not a ring log node of that ring (wrong bytes, too large, wrong shape). */
export class RingHeadInvalidError extends Error {
  override name = "RingHeadInvalidError";
}

/** A wrapped read key does not open with this member's private key (another member's copy, or tampered). */
export class KeyUnwrapError extends Error {
  override name = "KeyUnwrapError";
}

/** A private ring's member has no read key yet, so it cannot write an encrypted entry. */
export class NoReadKeyError extends Error {
  override name = "NoReadKeyError";
}
