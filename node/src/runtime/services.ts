import type { NodeConfig } from "../config/config.js";
import { controlService } from "../control/server.js";
import { metricsService, metricsSettingsFromEnv } from "../metrics/metricsService.js";

export function defaultServices(_config: NodeConfig) {
  return {
    control: controlService(),
    metrics: metricsService(metricsSettingsFromEnv()),
  };
}
