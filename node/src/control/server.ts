/**
 * The node's local control endpoint: HTTP on 127.0.0.1 with a bearer token, for the operator's CLI
 * (`ring-node status`, `ring-node append`) and for tests. Its URL and token are written to
 * `<dataDir>/control.json` (mode 0600) while the node runs. Not the public JSON-RPC API. It refuses a
 * Host that is not its listen address and a foreign Origin (DNS rebinding, jsonrpc/localGuard.ts)
 * and a POST that is not `application/json`. Sockets and timeouts: LOCAL_SERVER_LIMITS (jsonrpc/serverLimits.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { getAddress } from "ethers";
import { CID } from "multiformats/cid";
import type { Libp2p, Startable } from "@libp2p/interface";
import type { NodeConfig } from "../config/config.js";
import type { RingIdentity } from "../identity/identity.js";
import { RequestRefusedError } from "../jsonrpc/errors.js";
import { allowedHosts, checkBearer, checkHostAndOrigin, checkJsonContentType, newToken } from "../jsonrpc/localGuard.js";
import { limitedServer, type ServerLimits } from "../jsonrpc/serverLimits.js";
import { forkEvidenceToJson } from "../log/forkEvidence.js";
import { CandidacyError, InvalidProposalError } from "../membership/errors.js";
import type { OwnLog } from "../log/ownLog.js";
import type { LogStore } from "../log/store.js";
import { isEncryptedPayload } from "../replica/payloadCipher.js";
import type { PayloadReader } from "../replica/sealedLog.js";
import type { Replicator } from "../replication/replicator.js";
import type { NodeStatus } from "../status/status.js";
import type { MembershipVotes } from "../membership/membershipVotes.js";
import { motionToJson } from "../membership/tally.js";
import { proposeRequestSchema } from "../membership/proposeRequest.js";
import { writePrivateFile } from "../config/privateDir.js";

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

/** What the control endpoint reads and writes. */
export interface ControlComponents {
  config: Pick<NodeConfig, "dataDir" | "controlPort">;
  signer: Pick<RingIdentity, "address" | "peerId">;
  streams: Pick<Libp2p, "getMultiaddrs">;
  ownLog: Pick<OwnLog, "append">;
  logs: Pick<LogStore, "forks" | "readBytes" | "length" | "nodeAt">;
  /** Opens sealed payloads for the operator's log view (what this node can read). */
  readKeys: PayloadReader;
  replicator: Pick<Replicator, "rejections" | "exchangeWithAll">;
  membership: Pick<MembershipVotes, "motions" | "propose" | "epoch">;
  status(): Promise<NodeStatus>;
}

export interface ControlService extends Startable {
  /** URL, token and identity of the endpoint once started. */
  readonly info: ControlInfo | null;
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

/** Knobs of the control endpoint (tests set them; the node runs with the defaults). */
export interface ControlInit {
  /** Sockets and timeouts (default LOCAL_SERVER_LIMITS). */
  limits?: Partial<ServerLimits>;
}

/** The control endpoint (js-libp2p style): `controlService()(components)`; listens on `config.controlPort`. */
export function controlService(init: ControlInit = {}): (components: ControlComponents) => ControlService {
  return (components) => new ControlEndpoint(components, init);
}

class ControlEndpoint implements ControlService {
  info: ControlInfo | null = null;
  private server: Server | null = null;
  private readonly file: string;

  constructor(
    private readonly components: ControlComponents,
    private readonly init: ControlInit,
  ) {
    this.file = join(components.config.dataDir, CONTROL_FILE);
  }

  async start(): Promise<void> {
    const { components } = this;
    const token = newToken();
    let hosts: ReadonlySet<string> | null = null;
    const server = limitedServer((request, response) => {
      void (async () => {
        try {
          checkHostAndOrigin(request, hosts);
          try {
            checkBearer(request, token);
          } catch {
            throw new HttpError(401, "missing or wrong control token");
          }
          if (request.method === "POST") checkJsonContentType(request);
          const url = new URL(request.url ?? "/", "http://127.0.0.1");
          send(response, 200, await route(components, request, url));
        } catch (error) {
          const status = error instanceof HttpError || error instanceof RequestRefusedError ? error.status : 500;
          send(response, status, { error: (error as Error).name, message: (error as Error).message });
        }
      })();
    }, this.init.limits);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(components.config.controlPort, "127.0.0.1", () => resolve());
    });
    hosts = allowedHosts(server.address() as AddressInfo);
    this.server = server;
    const address = server.address();
    const actualPort = typeof address === "object" && address !== null ? address.port : components.config.controlPort;
    this.info = {
      url: `http://127.0.0.1:${actualPort}`,
      token,
      pid: process.pid,
      address: components.signer.address,
      peerId: components.signer.peerId.toString(),
      multiaddrs: components.streams.getMultiaddrs().map((ma) => ma.toString()),
    };
    await writePrivateFile(this.file, JSON.stringify(this.info, null, 2));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    await rm(this.file, { force: true });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function route(components: ControlComponents, request: IncomingMessage, url: URL): Promise<unknown> {
  const method = request.method ?? "GET";
  const parts = url.pathname.split("/").filter((part) => part !== "");
  if (method === "GET" && url.pathname === "/status") return components.status();
  if (method === "POST" && url.pathname === "/append") {
    const body = (await readJson(request)) as { payload?: unknown; links?: unknown };
    if (!("payload" in body)) throw new HttpError(400, "append needs a payload");
    const links = Array.isArray(body.links) ? body.links.map((link) => CID.parse(String(link))) : undefined;
    const appended = await components.ownLog.append(body.payload, { links });
    return { seq: appended.node.seq, cid: appended.cid.toString() };
  }
  if (method === "GET" && url.pathname === "/membership") return components.membership.motions().map(motionToJson);
  if (method === "POST" && url.pathname === "/membership/propose") {
    const parsed = proposeRequestSchema.safeParse(await readJson(request));
    if (!parsed.success) throw new HttpError(400, `propose: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
    const { enter, member, ttlSeconds, candidacy } = parsed.data;
    const deadline = BigInt(Math.floor(Date.now() / 1000) + ttlSeconds);
    try {
      return motionToJson(await components.membership.propose({ enter, member, membershipEpoch: components.membership.epoch(), deadline }, candidacy));
    } catch (error) {
      if (error instanceof InvalidProposalError || error instanceof CandidacyError) throw new HttpError(400, `${error.name}: ${error.message}`);
      throw error;
    }
  }
  if (method === "GET" && url.pathname === "/rejections") return components.replicator.rejections();
  if (method === "GET" && url.pathname === "/forks") return (await components.logs.forks()).map(forkEvidenceToJson);
  if (method === "POST" && url.pathname === "/exchange") {
    await components.replicator.exchangeWithAll();
    return { ok: true };
  }
  if (method === "GET" && parts[0] === "log" && parts[1] !== undefined) return readLog(components, parts[1], url);
  if (method === "GET" && parts[0] === "block" && parts[1] !== undefined) {
    let cid: CID;
    try {
      cid = CID.parse(parts[1]);
    } catch {
      throw new HttpError(400, `not a CID: ${parts[1]}`);
    }
    return { cid: cid.toString(), held: (await components.logs.readBytes(cid)) !== null };
  }
  throw new HttpError(404, `no such control route: ${method} ${url.pathname}`);
}

/**
 * A slice of one author's log as held here: ?from=<seq>&limit=<n> (default 100, max 1000). A
 * payload sealed under a read key this node holds is shown opened (`sealed: true`); one it cannot
 * open is shown as stored.
 */
async function readLog(components: ControlComponents, author: string, url: URL): Promise<unknown> {
  let member: string;
  try {
    member = getAddress(author);
  } catch {
    throw new HttpError(400, `not an address: ${author}`);
  }
  const from = Math.max(0, Number(url.searchParams.get("from") ?? 0));
  const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get("limit") ?? 100)));
  const length = components.logs.length(member);
  const nodes = [];
  for (let seq = from; seq < Math.min(length, from + limit); seq++) {
    const entry = await components.logs.nodeAt(member, seq);
    if (entry === null) break;
    const stored = entry.node.payload;
    const opened = components.readKeys.open(member, stored);
    const sealed = isEncryptedPayload(stored);
    nodes.push({ seq, cid: entry.cid.toString(), prev: entry.node.prev.map(String), ts: entry.node.ts, payload: opened.readable ? opened.payload : stored, sealed });
  }
  return { author: member, length, nodes };
}
