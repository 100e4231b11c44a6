/** Errors of the messages module; each has a stable `name` callers can branch on. */

/** A ReadMessages cursor that does not decode, is for another app, or names no final message here. */
export class UnknownCursorError extends Error {
  override name = "UnknownCursorError";
}

/** A message whose entry (dag-cbor) is over MAX_MESSAGE_BYTES. */
export class MessageTooLargeError extends Error {
  override name = "MessageTooLargeError";
}

/** A payload dag-cbor cannot encode (e.g. a number that is not finite). */
export class PayloadNotCborError extends Error {
  override name = "PayloadNotCborError";
}

/** A connection asked for more subscriptions than its bound (WS_LIMITS.maxSubscriptionsPerSocket). */
export class TooManySubscriptionsError extends Error {
  override name = "TooManySubscriptionsError";
}
