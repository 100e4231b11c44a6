/**
 * Connection and time limits of the node's HTTP servers, so idle or half-sent requests cannot
 * hold the process's file descriptors: at most `maxConnections` sockets per server (more are
 * closed on accept), the headers within `headersTimeoutMs` and the whole request within
 * `requestTimeoutMs` of the connection's first byte (HTTP 408 and close otherwise), and an idle
 * keep-alive socket closed after `keepAliveTimeoutMs`. Node checks the timeouts every
 * `connectionsCheckingInterval`, a quarter of the headers timeout here (Node's default is 30 s).
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";

export interface ServerLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * The public JSON-RPC server (dapps, light clients): 512 sockets (the RPC benchmark runs 128
 * clients at once), headers in 10 s, a request in 30 s.
 */
export const PUBLIC_SERVER_LIMITS: ServerLimits = { maxConnections: 512, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };

/** The local servers (jobs, control, metrics: the operator's tools): 64 sockets each. */
export const LOCAL_SERVER_LIMITS: ServerLimits = { ...PUBLIC_SERVER_LIMITS, maxConnections: 64 };

/** An http server with `limits` applied (missing fields from `defaults`). */
export function limitedServer(handler: RequestListener<typeof IncomingMessage, typeof ServerResponse>, limits: Partial<ServerLimits> = {}, defaults: ServerLimits = LOCAL_SERVER_LIMITS): Server {
  const applied = { ...defaults, ...limits };
  // Node refuses a headers timeout above the request timeout.
  const headersTimeout = Math.min(applied.headersTimeoutMs, applied.requestTimeoutMs);
  const server = createServer(
    { headersTimeout, requestTimeout: applied.requestTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))) },
    handler,
  );
  server.keepAliveTimeout = applied.keepAliveTimeoutMs;
  server.maxConnections = applied.maxConnections;
  return server;
}
