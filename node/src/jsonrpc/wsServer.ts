/**
 * JSON-RPC 2.0 over WebSocket, on the HTTP endpoint's own port (an HTTP upgrade of `GET /`, `/rpc`
 * or `/ws`): one request (or batch) per text frame, answers and notifications as text frames.
 *
 * Guarded as the HTTP endpoint is, and more: a browser may open a WebSocket to any origin without
 * CORS, so every upgrade (the public endpoint's too) must carry a Host that is the listen address
 * (unless that is a wildcard) and no Origin or its own (or one of `allowedOrigins`); a local server's
 * upgrade must carry its bearer token (`Authorization: Bearer`). Refusals are HTTP 403/401 before the
 * upgrade.
 *
 * Bounded (api/subscriptions.ts WS_LIMITS): sockets (one more: HTTP 503), a frame's bytes (over the
 * limit: -32011; over twice it the `ws` library closes with 1009), requests in flight per socket
 * (-32012), and the unsent bytes of a socket: a consumer that does not read is closed with 4008 and
 * a reason rather than buffered without limit. A socket that does not answer pings is cut.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { RPC_ERROR_MESSAGES, RpcErrorCode } from "../api/errorCodes.js";
import { WS_CLOSE_CODES, WS_LIMITS } from "../api/subscriptions.js";
import type { RpcConnection, RpcDispatcher, RpcErrorLogger } from "./dispatcher.js";
import { StandardErrorCode } from "./errorCodes.js";
import { RequestRefusedError } from "./errors.js";
import { checkBearer, checkHostAndOrigin } from "./localGuard.js";

export type WsLimits = { -readonly [K in keyof typeof WS_LIMITS]: number };

export interface JsonRpcWsServerOptions {
  dispatcher: RpcDispatcher;
  limits?: Partial<WsLimits>;
  /** A local server's bearer token: every upgrade must carry it. */
  token?: string;
  /** Origins (e.g. `http://127.0.0.1:8080`, a page served elsewhere) allowed besides the server's own. */
  allowedOrigins?: readonly string[];
  /** Milliseconds between pings; a socket that has not answered the last one is cut (default 15 s). */
  pingIntervalMs?: number;
  logger?: RpcErrorLogger;
}

const PATHS = new Set(["/", "/rpc", "/ws"]);
const POLL_MS = 20;

export class JsonRpcWsServer {
  private readonly wss: WebSocketServer;
  private readonly limits: WsLimits;
  private readonly sockets = new Set<WebSocket>();
  private readonly closing = new AbortController();
  private readonly pinger: NodeJS.Timeout;
  private nextId = 1;
  readonly counters = { sockets: 0, frames: 0, slowConsumers: 0 };

  constructor(private readonly options: JsonRpcWsServerOptions) {
    this.limits = { ...WS_LIMITS, ...options.limits };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 2 * this.limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    const alive = new WeakSet<WebSocket>();
    this.pinger = setInterval(() => {
      for (const socket of this.sockets) {
        if (!alive.has(socket)) socket.terminate();
        else {
          alive.delete(socket);
          socket.ping();
        }
      }
    }, options.pingIntervalMs ?? 15_000);
    this.pinger.unref();
    this.wss.on("connection", (socket: WebSocket) => {
      alive.add(socket);
      socket.on("pong", () => alive.add(socket));
      this.serve(socket);
    });
  }

  /** Sockets open now. */
  get size(): number {
    return this.sockets.size;
  }

  /** Upgrades `request` to a WebSocket, or answers it with an HTTP error (`hosts`: what the HTTP server accepts as Host). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, hosts: ReadonlySet<string> | null): void {
    socket.on("error", () => socket.destroy());
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (this.closing.signal.aborted) return refuse(socket, 503, "the server is closing");
    if (!PATHS.has(path)) return refuse(socket, 404, "WebSocket JSON-RPC is served on /");
    try {
      this.checkOrigin(request, hosts);
      if (this.options.token !== undefined) checkBearer(request, this.options.token);
    } catch (error) {
      if (error instanceof RequestRefusedError) return refuse(socket, error.status, error.message);
      throw error;
    }
    if (this.sockets.size >= this.limits.maxSockets) return refuse(socket, 503, `more than ${this.limits.maxSockets} WebSockets open, retry later`);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit("connection", ws, request));
  }

  async close(): Promise<void> {
    this.closing.abort(new Error("server closing"));
    clearInterval(this.pinger);
    for (const socket of this.sockets) socket.close(1001, "server closing");
    const deadline = Date.now() + 1_000;
    while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private checkOrigin(request: IncomingMessage, hosts: ReadonlySet<string> | null): void {
    const origin = request.headers.origin;
    if (origin !== undefined && (this.options.allowedOrigins ?? []).some((allowed) => allowed.toLowerCase() === origin.toLowerCase())) {
      checkHostAndOrigin({ headers: { ...request.headers, origin: undefined } } as IncomingMessage, hosts);
      return;
    }
    checkHostAndOrigin(request, hosts);
  }

  private serve(socket: WebSocket): void {
    this.sockets.add(socket);
    this.counters.sockets += 1;
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, this.closing.signal]);
    const closeListeners: Array<() => void> = [];
    let inFlight = 0;
    let closed = false;
    const limits = this.limits;
    const markClosed = () => {
      if (closed) return;
      closed = true;
      this.sockets.delete(socket);
      abort.abort(new Error("socket closed"));
      for (const listener of closeListeners.splice(0)) listener();
    };
    const send = (message: unknown): boolean => {
      if (closed || socket.readyState !== WebSocket.OPEN) return false;
      const text = JSON.stringify(message, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
      if (socket.bufferedAmount + Buffer.byteLength(text) > limits.maxBufferedBytes) {
        this.counters.slowConsumers += 1;
        socket.close(WS_CLOSE_CODES.SlowConsumer, `slow consumer: more than ${limits.maxBufferedBytes} bytes unsent`);
        setTimeout(() => socket.terminate(), 2_000).unref();
        markClosed();
        return false;
      }
      socket.send(text);
      return true;
    };
    const connection: RpcConnection = {
      id: `ws-${this.nextId++}`,
      get closed() {
        return closed;
      },
      notify: (method, params) => send({ jsonrpc: "2.0", method, params }),
      drained: async () => {
        while (!closed && socket.bufferedAmount > limits.maxBufferedBytes / 2) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      },
      onClose: (listener) => {
        if (closed) listener();
        else closeListeners.push(listener);
      },
    };
    socket.on("close", markClosed);
    socket.on("error", (error) => {
      this.options.logger?.error({ err: error }, "WebSocket error");
      markClosed();
    });
    socket.on("message", (data: RawData, isBinary: boolean) => {
      this.counters.frames += 1;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) return void send(jsonError(null, StandardErrorCode.InvalidRequest, "Invalid Request: send JSON-RPC as text frames"));
      if (bytes.length > limits.maxFrameBytes) {
        return void send(jsonError(null, RpcErrorCode.RequestTooLarge, `${RPC_ERROR_MESSAGES[RpcErrorCode.RequestTooLarge]}: frame exceeds ${limits.maxFrameBytes} bytes`));
      }
      let body: unknown;
      try {
        body = JSON.parse(bytes.toString("utf8"));
      } catch {
        return void send(jsonError(null, StandardErrorCode.ParseError, "Parse error"));
      }
      if (inFlight >= limits.maxInFlightPerSocket) {
        return void send(jsonError(idOf(body), RpcErrorCode.Unavailable, `${RPC_ERROR_MESSAGES[RpcErrorCode.Unavailable]}: more than ${limits.maxInFlightPerSocket} requests in flight on this socket`));
      }
      inFlight += 1;
      this.options.dispatcher
        .receive(body, { signal, connection })
        .then((answer) => answer !== null && send(answer))
        .catch((error: unknown) => {
          this.options.logger?.error({ err: error }, "WebSocket request failed");
          send(jsonError(idOf(body), StandardErrorCode.InternalError, "Internal error"));
        })
        .finally(() => (inFlight -= 1));
    });
  }
}

function idOf(body: unknown): string | number | null {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  const id = (body as Record<string, unknown>).id;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : null;
}

function jsonError(id: string | number | null, code: number, message: string) {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

const REASONS: Record<number, string> = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 503: "Service Unavailable" };

/** Answers an upgrade request with an HTTP error and a JSON-RPC error body, and closes the socket. */
function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify(jsonError(null, status === 503 ? RpcErrorCode.Unavailable : StandardErrorCode.InvalidRequest, `Invalid Request: ${message}`));
  socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
