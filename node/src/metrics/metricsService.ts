/**
 * Prometheus metrics of a running ring node, served at `GET /metrics` (prom-client's text format).
 * Gauges are read from the node's status at scrape time, so they cost nothing between scrapes.
 * Its settings are the `metrics` section of the node's configuration (config/schema.ts); the URL
 * is written to <dataDir>/metrics.json. It refuses a Host that is not its listen address and any
 * foreign Origin (DNS rebinding: a web page must not read the node's state); on a wildcard address
 * (0.0.0.0) it refuses any request with an Origin (Prometheus sends none).
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { Startable } from "@libp2p/interface";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import type { MetricsSettings, NodeConfig } from "../config/config.js";
import type { RingIdentity } from "../identity/identity.js";
import { RequestRefusedError } from "../jsonrpc/errors.js";
import { allowedHosts, checkHostAndOrigin } from "../jsonrpc/localGuard.js";
import { limitedServer } from "../jsonrpc/serverLimits.js";
import type { NodeStatus } from "../status/status.js";

export const METRICS_FILE = "metrics.json";

/** What the metrics are read from. */
export interface MetricsComponents {
  chain: Pick<RingChainView, "ring">;
  signer: Pick<RingIdentity, "address">;
  config: Pick<NodeConfig, "dataDir">;
  logger: Logger;
  status(): Promise<NodeStatus>;
}

export interface MetricsService extends Startable {
  /** The endpoint's URL once started (null when disabled or stopped). */
  readonly url: string | null;
}

/** The node's metrics in their own registry (process metrics included). */
export function ringNodeRegistry(components: Pick<MetricsComponents, "chain" | "signer" | "status">): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ ring: components.chain.ring, member: components.signer.address });
  collectDefaultMetrics({ register: registry, prefix: "ring_node_" });
  const status = () => components.status();
  new Gauge({
    name: "ring_node_own_log_seq",
    help: "seq of this member's own log head (-1 for an empty log)",
    registers: [registry],
    async collect() {
      this.set((await status()).own?.seq ?? -1);
    },
  });
  new Gauge({
    name: "ring_node_member_log_seq",
    help: "seq of each member's log head held (verified) by this node",
    labelNames: ["of"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const member of (await status()).members) this.set({ of: member.address }, member.held?.seq ?? -1);
    },
  });
  new Gauge({
    name: "ring_node_replication_lag",
    help: "log nodes this node is behind the highest head a member claims",
    labelNames: ["of"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const member of (await status()).members) this.set({ of: member.address }, member.lag);
    },
  });
  new Gauge({
    name: "ring_node_round",
    help: "last round flushed on chain",
    registers: [registry],
    async collect() {
      this.set(Number((await status()).round));
    },
  });
  new Gauge({
    name: "ring_node_peers",
    help: "connected libp2p peers",
    registers: [registry],
    async collect() {
      this.set((await status()).peers.length);
    },
  });
  new Gauge({
    name: "ring_node_rejected_batches",
    help: "received log batches refused by verification",
    registers: [registry],
    async collect() {
      this.set((await status()).rejections);
    },
  });
  new Gauge({
    name: "ring_node_forks_detected",
    help: "forked log pairs kept as evidence",
    registers: [registry],
    async collect() {
      this.set((await status()).forks);
    },
  });
  return registry;
}

/** The metrics service (js-libp2p style): `metricsService(settings)(components)`. */
export function metricsService(settings: MetricsSettings): (components: MetricsComponents) => MetricsService {
  return (components) => new MetricsEndpoint(settings, components);
}

class MetricsEndpoint implements MetricsService {
  url: string | null = null;
  private server: Server | null = null;
  private readonly file: string;

  constructor(
    private readonly settings: MetricsSettings,
    private readonly components: MetricsComponents,
  ) {
    this.file = join(components.config.dataDir, METRICS_FILE);
  }

  async start(): Promise<void> {
    const { settings } = this;
    if (!settings.enabled) return;
    const registry = ringNodeRegistry(this.components);
    let hosts: ReadonlySet<string> | null = null;
    // Sockets and timeouts: LOCAL_SERVER_LIMITS (jsonrpc/serverLimits.ts).
    const server = limitedServer((request, response) => {
      try {
        checkHostAndOrigin(request, hosts);
      } catch (error) {
        const status = error instanceof RequestRefusedError ? error.status : 500;
        response.writeHead(status, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`);
        return;
      }
      if (request.method !== "GET" || new URL(request.url ?? "/", "http://metrics").pathname !== "/metrics") {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found: GET /metrics\n");
        return;
      }
      registry.metrics().then(
        (body) => response.writeHead(200, { "content-type": registry.contentType }).end(body),
        (error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${String(error)}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(error.code === "EADDRINUSE" ? new Error(`metrics port ${settings.host}:${settings.port} is in use: set RING_NODE_METRICS_PORT to a free port`) : error),
      );
      server.listen(settings.port, settings.host, () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    hosts = allowedHosts(address);
    this.url = `http://${address.address}:${address.port}/metrics`;
    await writeFile(this.file, JSON.stringify({ url: this.url, pid: process.pid }));
    this.components.logger.info({ url: this.url }, "metrics endpoint listening");
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    this.url = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(this.file, { force: true });
  }
}
