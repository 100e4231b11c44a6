/**
 * The dashboard's HTTP server on 127.0.0.1: `/` the page, `/api/state` the current state as JSON,
 * `/api/events` the same state pushed as server-sent events whenever it changes (polled every
 * `intervalMs`), so the page updates live; `/explorer` the explorer page and `/api/explorer?app=`
 * its state, read on each request (the page polls it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EXPLORER_PAGE } from "./explorerPage.js";
import { DASHBOARD_PAGE } from "./page.js";

/** What the dashboard serves; `state()` is called on every poll. */
export interface DashboardSource {
  state(): Promise<unknown>;
  /** The explorer's state with the messages of `app` (null: the most frequent app); absent: no explorer. */
  explorer?(app: string | null): Promise<unknown>;
}

/** Longest `app` the explorer asks for (as PostMessage allows). */
const MAX_APP = 128;

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

  // One explorer read per app at a time (polling pages share it), at most four apps at once.
  const explorerReads = new Map<string, Promise<unknown>>();
  const explore = (explorer: NonNullable<DashboardSource["explorer"]>, app: string | null): Promise<unknown> => {
    const key = app ?? "";
    const running = explorerReads.get(key);
    if (running !== undefined) return running;
    if (explorerReads.size >= 4) return Promise.reject(new Error("too many explorer reads at once"));
    const read = explorer(app).finally(() => explorerReads.delete(key));
    explorerReads.set(key, read);
    return read;
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? "/", "http://dashboard").pathname;
    if (request.method !== "GET") {
      response.writeHead(405, { allow: "GET" }).end();
    } else if (path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(DASHBOARD_PAGE);
    } else if (path === "/explorer") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(EXPLORER_PAGE);
    } else if (path === "/api/explorer" && source.explorer !== undefined) {
      const app = new URL(request.url ?? "/", "http://dashboard").searchParams.get("app");
      if (app !== null && (app.length === 0 || app.length > MAX_APP)) {
        response.writeHead(400, { "content-type": "text/plain" }).end(`app must be 1 ... ${MAX_APP} characters`);
        return;
      }
      explore(source.explorer.bind(source), app).then(
        (state) => response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(state)),
        (error: unknown) => {
          options.onError?.(error);
          response.writeHead(503, { "content-type": "text/plain" }).end(`explorer: ${String(error)}`);
        },
      );
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
