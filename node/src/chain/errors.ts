/**
 * What can go wrong talking to the chain: one class per failure, each with a stable `name` (the
 * JSON-RPC methods and the CLI branch on them).
 */

/** The JSON-RPC endpoint does not answer at all (wrong URL, node down). */
export class ChainUnreachableError extends Error {
  override name = "ChainUnreachableError";
}

/** The address holds no contract, or one that does not answer as a Ring. */
export class NotARingError extends Error {
  override name = "NotARingError";
}

/** A read or a wait did not finish within its bound. */
export class ChainTimeoutError extends Error {
  override name = "ChainTimeoutError";
}

/** A call returned something that is not the expected answer (e.g. not a 32-byte word). */
export class ChainCallError extends Error {
  override name = "ChainCallError";
}

/** A transaction (its estimate, broadcast or receipt) did not finish within its bound. */
export class ChainWriteTimeoutError extends Error {
  override name = "ChainWriteTimeoutError";
}

/** A transaction was mined and reverted. */
export class TransactionRevertedError extends Error {
  override name = "TransactionRevertedError";
}

/** No Rings deployment is recorded for the chain (or the record lacks a contract). */
export class DeploymentNotFoundError extends Error {
  override name = "DeploymentNotFoundError";
}

/** The chain refused a call in simulation (nothing was sent); `reason` is the decoded custom error. */
export class CallRefusedError extends Error {
  override name = "CallRefusedError";
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** The node was told the ring is public (`--public-ring on`) but the chain does not record it so. */
export class RingNotPublicError extends Error {
  override name = "RingNotPublicError";
}
