/**
 * One chat participant's web server on 127.0.0.1: `GET /` the page and its scripts and style (from
 * `public/`, nothing from elsewhere: the Content-Security-Policy allows only this origin),
 * `GET /api/member` which member this page speaks for, and `POST /rpc` the page's JSON-RPC,
 * forwarded to that member (rpcProxy.ts), and `GET /ws` the page's live feed, a WebSocket bridged to
 * the member's (wsProxy.ts: SubscribeMessages only). Like the node's local servers it refuses a Host that is
 * not its listen address and a foreign Origin (DNS rebinding: another page must not post as this
 * member), and a POST that is not `application/json` (jsonrpc/localGuard.ts).
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RequestRefusedError } from "../../node/src/jsonrpc/errors.js";
import { allowedHosts, checkHostAndOrigin, checkJsonContentType } from "../../node/src/jsonrpc/localGuard.js";
import { limitedServer } from "../../node/src/jsonrpc/serverLimits.js";
import { rpcProxy, type RpcProxyOptions } from "./rpcProxy.js";
import { wsProxy } from "./wsProxy.js";

/** The application id the chat page posts and reads as (the seed's `msg_domsep`). */
export const CHAT_APP = "chat";

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "public");
const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/chat.css": { file: "chat.css", type: "text/css; charset=utf-8" },
  "/chat.js": { file: "chat.js", type: "text/javascript; charset=utf-8" },
  "/feed.js": { file: "feed.js", type: "text/javascript; charset=utf-8" },
  "/rpc.js": { file: "rpc.js", type: "text/javascript; charset=utf-8" },
};
const SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};

export interface ChatServerOptions extends Pick<RpcProxyOptions, "dataDir" | "address" | "maxRequestBytes" | "maxResponseBytes"> {
  /** The ring's address (shown on the page). */
  ring: string;
  /** A label for the page's title, e.g. `member-0`. */
  name: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface ChatServer {
  /** `http://127.0.0.1:port/` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const proxy = rpcProxy(options);
  const member = JSON.stringify({ name: options.name, address: options.address, ring: options.ring, app: CHAT_APP });
  const live = wsProxy(options);
  let hosts: ReadonlySet<string> | null = null;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      checkHostAndOrigin(request, hosts);
      if (request.method === "POST") checkJsonContentType(request);
    } catch (error) {
      if (!(error instanceof RequestRefusedError)) throw error;
      response.writeHead(error.status, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" }).end(error.message);
      return;
    }
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (path === "/rpc") {
      if (request.method === "POST") return proxy(request, response);
      response.writeHead(405, { Allow: "POST" }).end();
      return;
    }
    if (request.method !== "GET") {
      response.writeHead(405, { Allow: "GET" }).end();
      return;
    }
    if (path === "/api/member") {
      response.writeHead(200, { "Content-Type": "application/json", ...SECURITY_HEADERS }).end(member);
      return;
    }
    const served = FILES[path];
    if (served === undefined) {
      response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found");
      return;
    }
    const body = await readFile(join(PUBLIC_DIR, served.file));
    response.writeHead(200, { "Content-Type": served.type, "Content-Length": body.length, ...SECURITY_HEADERS }).end(body);
  };

  const server: Server = limitedServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((request.url ?? "/").split("?")[0] === "/ws") return live.handleUpgrade(request, socket, head, hosts);
    socket.on("error", () => socket.destroy());
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nthe live feed is on /ws");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  hosts = allowedHosts(address);
  return {
    url: `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}/`,
    async close() {
      live.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
