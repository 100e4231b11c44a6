/** Errors of the chat example's server and its JSON-RPC proxy. */

/** The member's JSON-RPC endpoint is not known yet (no `jsonrpc.json`) or does not answer. */
export class MemberUnreachableError extends Error {
  override name = "MemberUnreachableError";
}

/** The page's request body, or the member's answer, is over the proxy's bound. */
export class ProxiedBodyTooLargeError extends Error {
  override name = "ProxiedBodyTooLargeError";
}
