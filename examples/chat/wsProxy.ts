/**
 * The chat page's live feed: a WebSocket on its own chat server's `/ws` (same origin, so the
 * member's WebSocket endpoint needs no extra allowed Origin), bridged to the member's WebSocket
 * JSON-RPC endpoint, whose URL is read from `<dataDir>/jsonrpc.json` at every upgrade (a member
 * restarted on another port is followed when the page reconnects). Page -> member: one call per
 * frame, only `SubscribeMessages` and `Unsubscribe`, each frame at most `maxFrameBytes`, at most
 * `maxQueuedFrames` held while the member's socket opens; member -> page: forwarded as they come
 * (the member bounds its own sending). When the member cannot be reached, or its socket closes
 * (killed, restarted), the page's socket is closed with MEMBER_UNAVAILABLE_CLOSE; the page's
 * socket closing closes the member's.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { SUBSCRIPTION_METHODS } from "../../node/src/api/subscriptions.js";
import { StandardErrorCode } from "../../node/src/jsonrpc/errorCodes.js";
import { RequestRefusedError } from "../../node/src/jsonrpc/errors.js";
import { checkHostAndOrigin } from "../../node/src/jsonrpc/localGuard.js";
import { memberUrl, type RpcProxyOptions } from "./rpcProxy.js";

/** The methods the page may call over its WebSocket. */
export const CHAT_WS_METHODS: ReadonlySet<string> = new Set([SUBSCRIPTION_METHODS.SubscribeMessages, SUBSCRIPTION_METHODS.Unsubscribe]);

/** Close code of the page's socket when its member cannot be reached or its socket closed (the page retries). */
export const MEMBER_UNAVAILABLE_CLOSE = 4012;

/** A call of the page is a few hundred bytes (an app name and a cursor). */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024;
const DEFAULT_MAX_QUEUED_FRAMES = 8;
const DEFAULT_OPEN_TIMEOUT_MS = 5_000;

export interface WsProxyOptions extends Pick<RpcProxyOptions, "dataDir" | "address"> {
  maxFrameBytes?: number;
  maxQueuedFrames?: number;
  openTimeoutMs?: number;
}

export interface WsProxy {
  /** Upgrades `request` (path `/ws`) when its Host and Origin are this server's, else answers 403. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, hosts: ReadonlySet<string> | null): void;
  /** Closes every bridged socket. */
  close(): void;
}

export function wsProxy(options: WsProxyOptions): WsProxy {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * maxFrameBytes, perMessageDeflate: false });
  const bridged = new Set<WebSocket>();

  const bridge = async (page: WebSocket): Promise<void> => {
    const queue: string[] = [];
    let member: WebSocket | null = null;
    const closeBoth = (code: number, reason: string) => {
      if (page.readyState === WebSocket.OPEN || page.readyState === WebSocket.CONNECTING) page.close(code, reason);
      member?.terminate();
    };
    page.on("close", () => {
      bridged.delete(page);
      member?.close();
    });
    page.on("message", (data: RawData, isBinary: boolean) => {
      const text = isBinary ? null : rawText(data);
      const refusal = text === null ? { code: StandardErrorCode.InvalidRequest, message: "Invalid Request: frames are JSON-RPC text" } : refuse(text, maxFrameBytes);
      if (refusal !== null) {
        page.send(JSON.stringify({ jsonrpc: "2.0", id: idOf(text), error: { code: refusal.code, message: refusal.message } }));
        return;
      }
      if (member?.readyState === WebSocket.OPEN) member.send(text as string);
      else if (queue.length < (options.maxQueuedFrames ?? DEFAULT_MAX_QUEUED_FRAMES)) queue.push(text as string);
      else closeBoth(1008, "too many calls before the member's socket opened");
    });
    let url: string;
    try {
      url = await memberUrl(options);
    } catch (error) {
      return closeBoth(MEMBER_UNAVAILABLE_CLOSE, reasonOf(error));
    }
    if (page.readyState !== WebSocket.OPEN) return;
    const upstream = new WebSocket(`${url.replace(/^http/, "ws").replace(/\/$/, "")}/ws`, { handshakeTimeout: options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS, perMessageDeflate: false });
    member = upstream;
    upstream.on("open", () => {
      for (const text of queue.splice(0)) upstream.send(text);
    });
    upstream.on("message", (data: RawData, isBinary: boolean) => {
      if (page.readyState === WebSocket.OPEN) page.send(rawText(data), { binary: isBinary });
    });
    upstream.on("error", () => undefined);
    upstream.on("close", (_code, reason) => closeBoth(MEMBER_UNAVAILABLE_CLOSE, `the member's socket closed${reason.length > 0 ? `: ${reason.toString()}` : ""}`.slice(0, 120)));
  };

  return {
    handleUpgrade(request, socket, head, hosts) {
      socket.on("error", () => socket.destroy());
      try {
        checkHostAndOrigin(request, hosts);
      } catch (error) {
        if (!(error instanceof RequestRefusedError)) throw error;
        socket.end(`HTTP/1.1 ${error.status} Refused\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${error.message}`);
        return;
      }
      wss.handleUpgrade(request, socket, head, (page) => {
        bridged.add(page);
        void bridge(page);
      });
    },
    close() {
      for (const page of bridged) page.terminate();
      bridged.clear();
      wss.close();
    },
  };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}

/** Why a frame of the page is not forwarded (null: it is). */
function refuse(text: string, maxFrameBytes: number): { code: number; message: string } | null {
  if (Buffer.byteLength(text) > maxFrameBytes) return { code: StandardErrorCode.InvalidRequest, message: `Invalid Request: a frame is at most ${maxFrameBytes} bytes` };
  let call: unknown;
  try {
    call = JSON.parse(text);
  } catch {
    return { code: StandardErrorCode.ParseError, message: "Parse error" };
  }
  if (typeof call !== "object" || call === null || Array.isArray(call)) return { code: StandardErrorCode.InvalidRequest, message: "Invalid Request: one call per frame (no batches)" };
  const { method } = call as { method?: unknown };
  if (typeof method !== "string" || !CHAT_WS_METHODS.has(method)) {
    return { code: StandardErrorCode.MethodNotFound, message: `Method not found: the chat page's socket calls only ${[...CHAT_WS_METHODS].join(", ")}` };
  }
  return null;
}

function idOf(text: string | null): string | number | null {
  try {
    const id = (JSON.parse(text ?? "null") as { id?: unknown } | null)?.id;
    return typeof id === "string" || typeof id === "number" ? id : null;
  } catch {
    return null;
  }
}

/** A close reason fits in 123 bytes. */
function reasonOf(error: unknown): string {
  return `the member is unreachable: ${(error as Error).message}`.slice(0, 120);
}
