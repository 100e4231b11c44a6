/**
 * The dashboard's HTTP server on 127.0.0.1: `/` the page, `/api/state` the current state as JSON,
 * `/api/events` the same state pushed as server-sent events whenever it changes (polled every
 * `intervalMs`), so the page updates live.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DASHBOARD_PAGE } from "./page.js";

/** What the dashboard serves; `state()` is called on every poll. */
export interface DashboardSource {
  state(): Promise<unknown>;
}

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

export async function startDashboard(source: DashboardSource, options: { host?: string; port?: number; intervalMs?: number; onError?: (error: unknown) => void } = {}): Promise<DashboardServer> {
  const clients = new Set<ServerResponse>();
  let latest = "";
  let latestState: unknown = null;

  const refresh = async () => {
    try {
      latestState = await source.state();
      const json = JSON.stringify(latestState);
      if (json === latest) return;
      latest = json;
      for (const client of clients) client.write(`data: ${json}\n\n`);
    } catch (error) {
      options.onError?.(error);
    }
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? "/", "http://dashboard").pathname;
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET" }).end();
    } else if (path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(DASHBOARD_PAGE);
    } else if (path === "/api/state") {
      response.writeHead(200, { "content-type": "application/json" }).end(latest || JSON.stringify(latestState));
    } else if (path === "/api/events") {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      if (latest) response.write(`data: ${latest}\n\n`);
      clients.add(response);
      request.on("close", () => clients.delete(response));
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });

  await refresh();
  const timer = setInterval(() => void refresh(), options.intervalMs ?? 1_000);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}/`,
    close: async () => {
      clearInterval(timer);
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
