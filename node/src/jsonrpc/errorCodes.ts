/**
 * The JSON-RPC error codes of the transport, from the JSON-RPC 2.0 specification, and the error
 * classes methods throw. The application codes (-32001 ...) are part of the API: api/errorCodes.ts.
 */
import { JSONRPCErrorException } from "json-rpc-2.0";
import { RPC_ERROR_MESSAGES, type RpcErrorCodeValue } from "../api/errorCodes.js";

export const StandardErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/** An application error: thrown by a method, answered as `{ code, message, data }`. */
export class RpcApplicationError extends JSONRPCErrorException {
  override name = "RpcApplicationError";

  constructor(code: RpcErrorCodeValue, detail?: string, data?: unknown) {
    const base = RPC_ERROR_MESSAGES[code];
    super(detail === undefined ? base : `${base}: ${detail}`, code, data);
  }
}

export class InvalidParamsError extends JSONRPCErrorException {
  override name = "InvalidParamsError";

  constructor(detail: string, data?: unknown) {
    super(`Invalid params: ${detail}`, StandardErrorCode.InvalidParams, data);
  }
}
