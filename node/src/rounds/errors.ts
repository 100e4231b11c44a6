/** The rounds' errors, each with a stable `name` (the ring writer's chain errors live with it). */

/** A running service's part was asked for before `start()`. */
export class RoundsNotStartedError extends Error {
  override name = "RoundsNotStartedError";
}

/** RING_NODE_FAULT names a fault that does not exist. */
export class UnknownFaultError extends Error {
  override name = "UnknownFaultError";
}

/** No log this member holds carries the job. */
export class JobNotFoundError extends Error {
  override name = "JobNotFoundError";
}

/** The job was not finalised within the wait the caller gave. */
export class JobWaitTimeoutError extends Error {
  override name = "JobWaitTimeoutError";
}

/** A pin input names no gate, or its pin has no output yet. */
export class EmptyPinError extends Error {
  override name = "EmptyPinError";
}

/** A malformed or unwelcome request on the rounds protocol. */
export class RoundsProtocolError extends Error {
  override name = "RoundsProtocolError";
}

/** A BLS ring's aggregate of the votes does not verify for their registered keys (checked before sending). */
export class AggregateCheckError extends Error {
  override name = "AggregateCheckError";
}
