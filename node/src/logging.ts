/** Structured logs: pino JSON lines, one logger per node with a child per component. */
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go: a file descriptor (default 1, stdout). */
  fd?: number;
  /** Fields on every line (e.g. the node's address). */
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd: options.fd ?? 1, sync: true }),
  );
}

/** A logger that drops everything, for library use without a configured logger. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
