// The page's JSON-RPC: one call per POST to its own server's /rpc (same origin), which forwards
// it to the page's ring member.

let nextId = 1;

/** A failed call: `code` is the JSON-RPC error code (null when no JSON-RPC answer came), `status` the HTTP status (0: no answer). */
export class RpcError extends Error {
  constructor(message, code, status) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.status = status;
  }
}

/** Calls `method` with `params`; its result, or an RpcError. */
export async function call(method, params, { timeoutMs = 10_000 } = {}) {
  let response;
  try {
    response = await fetch("/rpc", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new RpcError(`the chat server does not answer (${error.message})`, null, 0);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: handled below
  }
  if (body !== null && typeof body === "object" && body.error !== undefined) throw new RpcError(body.error.message, body.error.code, response.status);
  if (!response.ok || body === null || typeof body !== "object" || !("result" in body)) throw new RpcError(`HTTP ${response.status}`, null, response.status);
  return body.result;
}
