/** Errors of the rounds service (errors of one part stay beside it: faults.ts, jobService.ts, roundsProtocol.ts). */

/** A running service's part was asked for before `start()`. */
export class RoundsNotStartedError extends Error {
  override name = "RoundsNotStartedError";
}
