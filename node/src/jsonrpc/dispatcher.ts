/**
 * JSON-RPC 2.0 envelope handling on top of the `json-rpc-2.0` library's method table: validates
 * each request object (the library trusts its input), assembles batch answers as arrays (the
 * library collapses a one-answer batch into an object), drops answers to notifications, and maps
 * unexpected errors to -32603 instead of the library's code 0.
 */
import { JSONRPCErrorException, JSONRPCServer, type JSONRPCID, type JSONRPCRequest, type JSONRPCResponse } from "json-rpc-2.0";
import { StandardErrorCode } from "./errorCodes.js";

/** What every method receives besides its params. */
export interface RpcCallContext {
  /** Aborted when the client goes away or the server closes. */
  signal: AbortSignal;
  /** The WebSocket the call came on (absent over HTTP): methods that send notifications use it. */
  connection?: RpcConnection;
}

/** A client's WebSocket as methods see it (jsonrpc/wsServer.ts). */
export interface RpcConnection {
  readonly id: string;
  /** Whether the socket is closed (by the client, the server, or as a slow consumer). */
  readonly closed: boolean;
  /** Sends a JSON-RPC notification; false when the socket is closed or was just closed as too slow. */
  notify(method: string, params: unknown): boolean;
  /** Resolves once the socket's unsent bytes are below half its bound, or it closed. */
  drained(): Promise<void>;
  /** Calls `listener` once when the socket closes. */
  onClose(listener: () => void): void;
}

export type RpcMethod = (params: unknown, context: RpcCallContext) => Promise<unknown>;

export interface RpcErrorLogger {
  error(details: object, message: string): void;
}

export const MAX_BATCH_LENGTH = 100;

function errorResponse(id: JSONRPCID, code: number, message: string, data?: unknown): JSONRPCResponse {
  return data === undefined ? { jsonrpc: "2.0", id, error: { code, message } } : { jsonrpc: "2.0", id, error: { code, message, data } };
}

function isValidId(id: unknown): id is JSONRPCID {
  return id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

/** The request object's own faults, or null when it is a well-formed request or notification. */
function envelopeFault(request: unknown): string | null {
  if (request === null || typeof request !== "object" || Array.isArray(request)) return "a request must be an object";
  const candidate = request as Record<string, unknown>;
  if (candidate.jsonrpc !== "2.0") return 'jsonrpc must be exactly "2.0"';
  if (typeof candidate.method !== "string") return "method must be a string";
  if ("params" in candidate && (candidate.params === null || typeof candidate.params !== "object")) return "params must be an object or an array";
  if ("id" in candidate && !isValidId(candidate.id)) return "id must be a string, a number or null";
  return null;
}

export class RpcDispatcher {
  private readonly server: JSONRPCServer<RpcCallContext>;

  constructor(methods: Record<string, RpcMethod>, logger?: RpcErrorLogger) {
    this.server = new JSONRPCServer<RpcCallContext>({
      errorListener: (message, data) => logger?.error({ err: data }, message),
    });
    this.server.mapErrorToJSONRPCErrorResponse = (id, error: unknown) => {
      if (error instanceof JSONRPCErrorException) return errorResponse(id, error.code, error.message, error.data) as ReturnType<JSONRPCServer["mapErrorToJSONRPCErrorResponse"]>;
      return errorResponse(id, StandardErrorCode.InternalError, "Internal error") as ReturnType<JSONRPCServer["mapErrorToJSONRPCErrorResponse"]>;
    };
    for (const [name, method] of Object.entries(methods)) {
      this.server.addMethod(name, (params: unknown, context: RpcCallContext) => method(params, context));
    }
  }

  /** Answers a parsed JSON body: an object, an array (batch), or null when nothing is owed (notifications only). */
  async receive(body: unknown, context: RpcCallContext): Promise<JSONRPCResponse | JSONRPCResponse[] | null> {
    if (!Array.isArray(body)) return this.receiveOne(body, context);
    if (body.length === 0) return errorResponse(null, StandardErrorCode.InvalidRequest, "Invalid Request: empty batch");
    if (body.length > MAX_BATCH_LENGTH) return errorResponse(null, StandardErrorCode.InvalidRequest, `Invalid Request: batch longer than ${MAX_BATCH_LENGTH}`);
    const answers = await Promise.all(body.map((request) => this.receiveOne(request, context)));
    const responses = answers.filter((answer): answer is JSONRPCResponse => answer !== null);
    return responses.length === 0 ? null : responses;
  }

  private async receiveOne(request: unknown, context: RpcCallContext): Promise<JSONRPCResponse | null> {
    const fault = envelopeFault(request);
    if (fault !== null) {
      const id = request !== null && typeof request === "object" && "id" in request && isValidId(request.id) ? request.id : null;
      return errorResponse(id, StandardErrorCode.InvalidRequest, `Invalid Request: ${fault}`);
    }
    const valid = request as JSONRPCRequest;
    const isNotification = !("id" in valid);
    const response = await this.server.receive(valid, context);
    return isNotification ? null : response;
  }
}
