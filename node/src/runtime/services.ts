/**
 * The services `ring-node start` runs next to replication, in start order: the local control
 * endpoint, the rounds (with the jobs endpoint), the JSON-RPC API and the metrics endpoint. A new
 * service is a factory `(components) => Startable` declaring the components it needs; add it here.
 */
import type { NodeConfig } from "../config/config.js";
import { controlService } from "../control/server.js";
import { metricsService, metricsSettingsFromEnv } from "../metrics/metricsService.js";
import { roundsService, roundsSettingsFromEnv } from "../rounds/roundsService.js";
import { jsonRpcService, rpcSettingsFromEnv } from "../rpc/jsonRpcService.js";

export function defaultServices(_config: NodeConfig) {
  return {
    control: controlService(),
    rounds: roundsService(roundsSettingsFromEnv()),
    jsonrpc: jsonRpcService(rpcSettingsFromEnv()),
    metrics: metricsService(metricsSettingsFromEnv()),
  };
}
