/**
 * The node's local control endpoint: HTTP on 127.0.0.1 with a bearer token, for the operator's CLI
 * (`ring-node status`, `ring-node append`) and for tests. Its URL and token are written to
 * `<dataDir>/control.json` (mode 0600) while the node runs. Not the public JSON-RPC API.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { rm, writeFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { getAddress } from "ethers";
import { CID } from "multiformats/cid";
import { forkEvidenceToJson } from "../log/forkEvidence.js";
import type { RingNode } from "../runtime/ringNode.js";

export const CONTROL_FILE = "control.json";
const MAX_BODY = 1024 * 1024;

export interface ControlInfo {
  url: string;
  token: string;
  pid: number;
  address: string;
  peerId: string;
  multiaddrs: string[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, "body too large");
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "body is not JSON");
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value instanceof CID ? value.toString() : value));
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

/** Starts the endpoint; resolves with its info and a stop function. */
export async function startControlServer(node: RingNode, port: number): Promise<{ info: ControlInfo; stop(): Promise<void> }> {
  const token = randomBytes(24).toString("hex");
  const expected = Buffer.from(`Bearer ${token}`);
  const server = createServer((request, response) => {
    void (async () => {
      try {
        const given = Buffer.from(request.headers.authorization ?? "");
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new HttpError(401, "missing or wrong control token");
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        send(response, 200, await route(node, request, url));
      } catch (error) {
        const status = error instanceof HttpError ? error.status : 500;
        send(response, status, { error: (error as Error).name, message: (error as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  const info: ControlInfo = {
    url: `http://127.0.0.1:${actualPort}`,
    token,
    pid: process.pid,
    address: node.identity.address,
    peerId: node.identity.peerId.toString(),
    multiaddrs: node.multiaddrs(),
  };
  const file = join(node.config.dataDir, CONTROL_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(info, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return {
    info,
    stop: async () => {
      await rm(file, { force: true });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function route(node: RingNode, request: IncomingMessage, url: URL): Promise<unknown> {
  const method = request.method ?? "GET";
  const parts = url.pathname.split("/").filter((part) => part !== "");
  if (method === "GET" && url.pathname === "/status") return node.status();
  if (method === "POST" && url.pathname === "/append") {
    const body = (await readJson(request)) as { payload?: unknown; links?: unknown };
    if (!("payload" in body)) throw new HttpError(400, "append needs a payload");
    const links = Array.isArray(body.links) ? body.links.map((link) => CID.parse(String(link))) : undefined;
    const appended = await node.log.append(body.payload, { links });
    return { seq: appended.node.seq, cid: appended.cid.toString() };
  }
  if (method === "GET" && url.pathname === "/rejections") return node.replicator.rejections();
  if (method === "GET" && url.pathname === "/forks") return (await node.store.forks()).map(forkEvidenceToJson);
  if (method === "POST" && url.pathname === "/exchange") {
    await node.replicator.exchangeWithAll();
    return { ok: true };
  }
  if (method === "GET" && parts[0] === "log" && parts[1] !== undefined) return readLog(node, parts[1], url);
  if (method === "GET" && parts[0] === "block" && parts[1] !== undefined) {
    let cid: CID;
    try {
      cid = CID.parse(parts[1]);
    } catch {
      throw new HttpError(400, `not a CID: ${parts[1]}`);
    }
    return { cid: cid.toString(), held: (await node.store.readBytes(cid)) !== null };
  }
  throw new HttpError(404, `no such control route: ${method} ${url.pathname}`);
}

/** A slice of one author's log as held here: ?from=<seq>&limit=<n> (default 100, max 1000). */
async function readLog(node: RingNode, author: string, url: URL): Promise<unknown> {
  let member: string;
  try {
    member = getAddress(author);
  } catch {
    throw new HttpError(400, `not an address: ${author}`);
  }
  const from = Math.max(0, Number(url.searchParams.get("from") ?? 0));
  const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get("limit") ?? 100)));
  const length = node.store.length(member);
  const nodes = [];
  for (let seq = from; seq < Math.min(length, from + limit); seq++) {
    const entry = await node.store.nodeAt(member, seq);
    if (entry === null) break;
    nodes.push({ seq, cid: entry.cid.toString(), prev: entry.node.prev.map(String), ts: entry.node.ts, payload: entry.node.payload });
  }
  return { author: member, length, nodes };
}
