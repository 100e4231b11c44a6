/** Why a JSON-RPC method could not finish, before it is mapped to an error code. */

/** A chain read failed or did not answer in time: answered -32008, nothing accepted, the client may retry. */
export class ChainReadError extends Error {
  override name = "ChainReadError";
}
