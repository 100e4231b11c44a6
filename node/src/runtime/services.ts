/**
 * The services `ring-node start` runs next to replication, in start order: the local control
 * endpoint, the rounds (with the jobs endpoint), the JSON-RPC API and the metrics endpoint. A new
 * service is a factory `(components) => Startable` declaring the components it needs; add it here.
 */
import type { NodeConfig } from "../config/config.js";
import { controlService } from "../control/server.js";
import { metricsService } from "../metrics/metricsService.js";
import { roundsService } from "../rounds/roundsService.js";
import { jsonRpcService } from "../rpc/jsonRpcService.js";

export function defaultServices(config: NodeConfig) {
  return {
    control: controlService(),
    rounds: roundsService(config.rounds),
    jsonrpc: jsonRpcService(config.jsonrpc),
    metrics: metricsService(config.metrics),
  };
}
