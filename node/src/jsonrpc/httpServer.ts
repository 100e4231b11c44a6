/**
 * JSON-RPC 2.0 over HTTP on Node's http server: `POST /` (or `/rpc`) with a JSON body, a body
 * size limit (HTTP 413 and a JSON-RPC error, without reading the rest), parse errors answered
 * with -32700, notifications-only requests with 204, and `GET /health` for liveness.
 *
 * Every POST must be `Content-Type: application/json` (HTTP 415 otherwise), so a web page cannot
 * reach a method with a preflight-free `text/plain` POST. A server given a `token` is a LOCAL one
 * (the jobs endpoint): it also refuses a Host that is not its listen address and a foreign Origin
 * (HTTP 403, DNS rebinding) and a request without `Authorization: Bearer <token>` (HTTP 401). The
 * public server (rpc/, which dapps reach, perhaps on 0.0.0.0) has no token and no Origin check.
 *
 * Bounded (serverLimits.ts): sockets (`maxConnections`), headers and request timeouts, at most
 * `maxInFlight` requests being read or answered at once, and at most `maxInFlightPerIp` of them
 * from one remote address (so one client cannot take the whole cap); one more is answered at once
 * with HTTP 503 and -32012 (node unavailable) and may be retried.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { RPC_ERROR_MESSAGES, RpcErrorCode } from "../api/errorCodes.js";
import { StandardErrorCode } from "./errorCodes.js";
import type { RpcDispatcher } from "./dispatcher.js";
import { RequestRefusedError } from "./errors.js";
import { allowedHosts, checkBearer, checkHostAndOrigin, checkJsonContentType } from "./localGuard.js";
import { limitedServer, LOCAL_SERVER_LIMITS, PUBLIC_SERVER_LIMITS, type ServerLimits } from "./serverLimits.js";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** JSON-RPC requests read or answered at once (the RPC benchmark's 128 clients fit). */
export const DEFAULT_MAX_IN_FLIGHT = 256;
/** Of those, requests from one remote address (half the cap: the benchmark's 128 loopback clients fit). */
export const DEFAULT_MAX_IN_FLIGHT_PER_IP = 128;

export interface JsonRpcHttpServerOptions {
  dispatcher: RpcDispatcher;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxBodyBytes?: number;
  /** Extra fields for `GET /health`. */
  health?: () => Record<string, unknown>;
  /** How long a client may take to send its request (headers and body; limits.requestTimeoutMs). */
  bodyTimeoutMs?: number;
  /** Sockets and timeouts (default: PUBLIC_SERVER_LIMITS, LOCAL_SERVER_LIMITS with a token). */
  limits?: Partial<ServerLimits>;
  /** Requests read or answered at once; beyond it HTTP 503 / -32012 (default DEFAULT_MAX_IN_FLIGHT). */
  maxInFlight?: number;
  /** Requests from one remote address read or answered at once; beyond it HTTP 503 / -32012 (default DEFAULT_MAX_IN_FLIGHT_PER_IP). */
  maxInFlightPerIp?: number;
  /** Makes this a local server: the bearer token every request must carry (with Host and Origin checks). */
  token?: string;
}

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

export class JsonRpcHttpServer {
  private readonly server: Server;
  private readonly options: JsonRpcHttpServerOptions;
  private readonly maxBodyBytes: number;
  private readonly maxInFlight: number;
  private readonly maxInFlightPerIp: number;
  private inFlight = 0;
  /** Requests in flight per remote address (entries removed at zero, so at most maxInFlight keys). */
  private readonly inFlightByIp = new Map<string, number>();
  private readonly closing = new AbortController();
  /** Host headers a local server accepts (set once listening). */
  private hosts: ReadonlySet<string> | null = null;
  /** Requests answered, for health and metrics. */
  readonly counters = { httpRequests: 0, rpcErrors: 0 };

  constructor(options: JsonRpcHttpServerOptions) {
    this.options = options;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.maxInFlightPerIp = options.maxInFlightPerIp ?? DEFAULT_MAX_IN_FLIGHT_PER_IP;
    const limits = { ...(options.bodyTimeoutMs === undefined ? {} : { requestTimeoutMs: options.bodyTimeoutMs }), ...options.limits };
    this.server = limitedServer(
      (request, response) => {
        this.handle(request, response).catch(() => {
          if (!response.headersSent) this.send(response, 500, jsonError(null, StandardErrorCode.InternalError, "Internal error"));
          else response.destroy();
        });
      },
      limits,
      options.token === undefined ? PUBLIC_SERVER_LIMITS : LOCAL_SERVER_LIMITS,
    );
  }

  /** Requests being read or answered now. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  async listen(): Promise<string> {
    const host = this.options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off("error", reject);
        this.hosts = allowedHosts(this.server.address() as AddressInfo);
        resolve();
      });
    });
    return this.url;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo | null;
    if (address === null) throw new Error("server is not listening");
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/`;
  }

  /** Hands HTTP upgrade requests (WebSocket) to `handler` with the Host values this server accepts (null: a wildcard address). */
  onUpgrade(handler: (request: IncomingMessage, socket: Duplex, head: Buffer, hosts: ReadonlySet<string> | null) => void): void {
    this.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => handler(request, socket, head, this.hosts));
  }

  /** The bearer token of a local server (undefined: the public one). */
  get token(): string | undefined {
    return this.options.token;
  }

  async close(): Promise<void> {
    this.closing.abort(new Error("server closing"));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.counters.httpRequests += 1;
    const path = (request.url ?? "/").split("?")[0];
    try {
      if (this.options.token !== undefined) {
        checkHostAndOrigin(request, this.hosts);
        checkBearer(request, this.options.token);
      }
      if (request.method === "POST") checkJsonContentType(request);
    } catch (error) {
      if (!(error instanceof RequestRefusedError)) throw error;
      this.counters.rpcErrors += 1;
      response.setHeader("Connection", "close");
      this.send(response, error.status, jsonError(null, StandardErrorCode.InvalidRequest, `Invalid Request: ${error.message}`));
      return;
    }
    if (request.method === "GET" && path === "/health") {
      this.send(response, 200, { ok: true, ...this.options.health?.() });
      return;
    }
    if (path !== "/" && path !== "/rpc") {
      this.send(response, 404, jsonError(null, StandardErrorCode.InvalidRequest, "Invalid Request: POST JSON-RPC to /"));
      return;
    }
    if (request.method !== "POST") {
      response.setHeader("Allow", "POST");
      this.send(response, 405, jsonError(null, StandardErrorCode.InvalidRequest, "Invalid Request: use POST"));
      return;
    }

    const ip = request.socket.remoteAddress ?? "unknown";
    const fromIp = this.inFlightByIp.get(ip) ?? 0;
    if (this.inFlight >= this.maxInFlight || fromIp >= this.maxInFlightPerIp) {
      this.counters.rpcErrors += 1;
      response.setHeader("Retry-After", "1");
      response.setHeader("Connection", "close");
      const which = this.inFlight >= this.maxInFlight ? `more than ${this.maxInFlight} requests in flight` : `more than ${this.maxInFlightPerIp} requests in flight from ${ip}`;
      this.send(response, 503, jsonError(null, RpcErrorCode.Unavailable, `${RPC_ERROR_MESSAGES[RpcErrorCode.Unavailable]}: ${which}, retry later`));
      return;
    }
    this.inFlight += 1;
    this.inFlightByIp.set(ip, fromIp + 1);
    response.once("close", () => {
      this.inFlight -= 1;
      const left = (this.inFlightByIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.inFlightByIp.delete(ip);
      else this.inFlightByIp.set(ip, left);
    });

    let text: string;
    try {
      text = await readBody(request, this.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        this.counters.rpcErrors += 1;
        this.send(response, 413, jsonError(null, RpcErrorCode.RequestTooLarge, `${RPC_ERROR_MESSAGES[RpcErrorCode.RequestTooLarge]}: body exceeds ${this.maxBodyBytes} bytes`));
        return;
      }
      response.destroy();
      return;
    }

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.counters.rpcErrors += 1;
      this.send(response, 200, jsonError(null, StandardErrorCode.ParseError, "Parse error"));
      return;
    }

    const abort = new AbortController();
    const onClose = () => {
      if (!response.writableFinished) abort.abort(new Error("client went away"));
    };
    response.on("close", onClose);
    const signal = AbortSignal.any([abort.signal, this.closing.signal]);
    const answer = await this.options.dispatcher.receive(body, { signal });
    response.off("close", onClose);
    if (answer === null) {
      response.writeHead(204).end();
      return;
    }
    for (const item of Array.isArray(answer) ? answer : [answer]) if (item.error !== undefined) this.counters.rpcErrors += 1;
    this.send(response, 200, answer);
  }

  private send(response: ServerResponse, status: number, body: unknown): void {
    if (response.destroyed) return;
    const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
    response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    response.end(text);
  }
}

function jsonError(id: null, code: number, message: string) {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

/** Bytes of an oversized body drained (and discarded) so the client can read its 413; beyond this the socket is cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body as UTF-8. Past `limit` bytes it keeps nothing: it drains the rest (up to
 * MAX_DRAIN_BYTES) so the client, still sending, gets its 413 instead of a reset connection.
 */
function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = Number(request.headers["content-length"] ?? "0") > limit;
    request.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (received > MAX_DRAIN_BYTES) request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.once("end", () => (tooLarge ? reject(new BodyTooLargeError(`more than ${limit} bytes`)) : resolve(Buffer.concat(chunks).toString("utf8"))));
    request.once("error", reject);
    request.once("close", () => reject(new Error("client went away")));
  });
}
