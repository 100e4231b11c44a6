/**
 * The chat page's JSON-RPC, forwarded to its member. The member's JSON-RPC server answers no CORS
 * preflight, so a page served elsewhere cannot call it with `application/json`: the chat server
 * serves the page and forwards `POST /rpc` from that same origin. It forwards only the messages'
 * methods (a chat page has no business relaying FlushToRing), one call per request (no batches),
 * a request body of at most `maxRequestBytes` and an answer of at most `maxResponseBytes`, within
 * `timeoutMs`. The member's URL is read from its `<dataDir>/jsonrpc.json` on every call, so the
 * page keeps working when the member restarts on another port; while it is down the page gets
 * HTTP 502 with -32012 (node unavailable).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { RPC_ERROR_MESSAGES, RpcErrorCode } from "../../node/src/api/errorCodes.js";
import { RPC_METHODS } from "../../node/src/api/methods.js";
import { StandardErrorCode } from "../../node/src/jsonrpc/errorCodes.js";
import { JSONRPC_FILE } from "../../node/src/rpc/jsonRpcService.js";
import { MemberUnreachableError, ProxiedBodyTooLargeError } from "./errors.js";

/** The methods the page may call. */
export const CHAT_METHODS: ReadonlySet<string> = new Set([RPC_METHODS.PostMessage, RPC_METHODS.ReadMessages, RPC_METHODS.GetMessage]);

export interface RpcProxyOptions {
  /** The member's data directory (its `jsonrpc.json` names the endpoint). */
  dataDir: string;
  /** The member's address: a `jsonrpc.json` written by another avatar is not forwarded to. */
  address: string;
  maxRequestBytes?: number;
  maxResponseBytes?: number;
  timeoutMs?: number;
}

/** A message is at most 16 KiB as dag-cbor; its JSON (escapes, the envelope) fits in 64 KiB. */
export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
/** ReadMessages pages of the page's size (100) of 16 KiB messages fit. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

export type RpcProxy = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export function rpcProxy(options: RpcProxyOptions): RpcProxy {
  const maxRequest = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const maxResponse = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (request, response) => {
    let text: string;
    try {
      text = await readLimited(request, maxRequest);
    } catch (error) {
      if (!(error instanceof ProxiedBodyTooLargeError)) return void response.destroy();
      response.setHeader("Connection", "close");
      return send(response, 413, rpcError(null, RpcErrorCode.RequestTooLarge, `${RPC_ERROR_MESSAGES[RpcErrorCode.RequestTooLarge]}: body exceeds ${maxRequest} bytes`));
    }
    let call: unknown;
    try {
      call = JSON.parse(text);
    } catch {
      return send(response, 200, rpcError(null, StandardErrorCode.ParseError, "Parse error"));
    }
    if (typeof call !== "object" || call === null || Array.isArray(call)) {
      return send(response, 200, rpcError(null, StandardErrorCode.InvalidRequest, "Invalid Request: one call per request (no batches)"));
    }
    const { id = null, method } = call as { id?: unknown; method?: unknown };
    const callId = typeof id === "string" || typeof id === "number" ? id : null;
    if (typeof method !== "string" || !CHAT_METHODS.has(method)) {
      return send(response, 200, rpcError(callId, StandardErrorCode.MethodNotFound, `Method not found: the chat page calls only ${[...CHAT_METHODS].join(", ")}`));
    }
    const gone = new AbortController();
    response.once("close", () => gone.abort(new Error("the page went away")));
    try {
      const answer = await forward(await memberUrl(options), text, AbortSignal.any([gone.signal, AbortSignal.timeout(timeoutMs)]), maxResponse);
      send(response, answer.status, answer.body);
    } catch (error) {
      if (gone.signal.aborted) return;
      const why = error instanceof ProxiedBodyTooLargeError ? error.message : `the member does not answer: ${(error as Error).message}`;
      send(response, 502, rpcError(callId, RpcErrorCode.Unavailable, `${RPC_ERROR_MESSAGES[RpcErrorCode.Unavailable]}: ${why}`));
    }
  };
}

/** The member's JSON-RPC URL from its `jsonrpc.json` (MemberUnreachableError when it names none of `address`). */
export async function memberUrl(options: Pick<RpcProxyOptions, "dataDir" | "address">): Promise<string> {
  let info: { url?: unknown; address?: unknown };
  try {
    info = JSON.parse(await readFile(join(options.dataDir, JSONRPC_FILE), "utf8")) as typeof info;
  } catch {
    throw new MemberUnreachableError("its JSON-RPC endpoint is not written yet");
  }
  if (typeof info.url !== "string" || typeof info.address !== "string" || info.address.toLowerCase() !== options.address.toLowerCase()) {
    throw new MemberUnreachableError(`${JSONRPC_FILE} names no endpoint of ${options.address}`);
  }
  return info.url;
}

/** POSTs `body` to the member; its status and answer (at most `maxBytes`). */
async function forward(url: string, body: string, signal: AbortSignal, maxBytes: number): Promise<{ status: number; body: string }> {
  const answer = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body, signal, redirect: "error" });
  if (answer.body === null) return { status: answer.status, body: "" };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = answer.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ProxiedBodyTooLargeError(`the member's answer exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return { status: answer.status, body: Buffer.concat(chunks).toString("utf8") };
}

/** The request body as UTF-8; ProxiedBodyTooLargeError past `limit` bytes (the rest is not read). */
function readLimited(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(request.headers["content-length"] ?? "0") > limit) return reject(new ProxiedBodyTooLargeError(`more than ${limit} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.pause();
        return reject(new ProxiedBodyTooLargeError(`more than ${limit} bytes`));
      }
      chunks.push(chunk);
    });
    request.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.once("error", reject);
  });
}

function rpcError(id: string | number | null, code: number, message: string): string {
  return JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } });
}

function send(response: ServerResponse, status: number, body: string): void {
  if (response.destroyed) return;
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  response.end(body);
}
