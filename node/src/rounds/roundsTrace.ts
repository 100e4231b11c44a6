/**
 * Timing trace of a round's steps (RING_NODE_TRACE_ROUNDS=1), for latency work: `bench:rounds`
 * reads these lines by their `step` names, so the names are part of the contract.
 */
import type { Logger } from "pino";

const TRACE = process.env.RING_NODE_TRACE_ROUNDS === "1";

export type RoundsTrace = (step: string, fields?: Record<string, unknown>) => void;

export function roundsTrace(logger: Pick<Logger, "info">): RoundsTrace {
  return (step, fields = {}) => {
    if (TRACE) logger.info({ ...fields, step, at: performance.now() + performance.timeOrigin }, "rounds trace");
  };
}
