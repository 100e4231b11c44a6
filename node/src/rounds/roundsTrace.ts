/**
 * Timing trace of a round's steps (RING_NODE_TRACE_ROUNDS=1), for latency work: `bench:rounds`
 * reads these lines by their `step` names, so the names are part of the contract. An observer
 * (roundTimings.ts) sees every step whether or not the trace is logged.
 */
import type { Logger } from "pino";

const TRACE = process.env.RING_NODE_TRACE_ROUNDS === "1";

export type RoundsTrace = (step: string, fields?: Record<string, unknown>) => void;

export type RoundsTraceObserver = (step: string, fields: Record<string, unknown>) => void;

export function roundsTrace(logger: Pick<Logger, "info">, observer?: RoundsTraceObserver): RoundsTrace {
  return (step, fields = {}) => {
    observer?.(step, fields);
    if (TRACE) logger.info({ ...fields, step, at: performance.now() + performance.timeOrigin }, "rounds trace");
  };
}
