/**
 * Process-level handlers of `ring-node start`. A promise rejected with nobody awaiting it (a
 * background task of some service that forgot a `.catch`) is logged and the node keeps running:
 * Node's default would kill the whole node, and with it every member service, for one failed
 * background step, while the state each service keeps (logs, journals, the chain) stays
 * consistent across such a failure. An uncaught exception is different: a synchronous throw
 * escaped to the event loop, so the code that threw stopped halfway and no state can be trusted;
 * the node is logged, stopped (bounded by `stopTimeoutMs`) and the process exits with code 1.
 */
import type { Logger } from "../logging.js";

export interface ProcessGuardOptions {
  logger: Pick<Logger, "error" | "fatal">;
  /** Stops the node on an uncaught exception (the process exits once it settles or times out). */
  stop?: () => Promise<void>;
  /** How long the stop may take before the process exits anyway. */
  stopTimeoutMs?: number;
  /** The process to guard (tests give a fake); exits through `exit`. */
  target?: Pick<NodeJS.Process, "on" | "off" | "exit">;
}

/** What the guards counted, for status and tests. */
export interface ProcessGuards {
  readonly unhandledRejections: number;
  /** Removes the handlers. */
  uninstall(): void;
}

/** Installs the `unhandledRejection` (log, keep running) and `uncaughtException` (log, stop, exit 1) handlers. */
export function installProcessGuards(options: ProcessGuardOptions): ProcessGuards {
  const target = options.target ?? process;
  const { logger } = options;
  let rejections = 0;
  let exiting = false;
  const onRejection = (reason: unknown) => {
    rejections += 1;
    logger.error({ err: reason, unhandledRejections: rejections }, "unhandled promise rejection: logged, the node keeps running");
  };
  const onException = (error: Error) => {
    logger.fatal({ err: error }, "uncaught exception: stopping the node");
    if (exiting) return;
    exiting = true;
    const timeoutMs = options.stopTimeoutMs ?? 10_000;
    const stopped = options.stop?.() ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    void Promise.race([stopped.catch((stopError: unknown) => logger.error({ err: stopError }, "stop after an uncaught exception failed")), deadline]).finally(() => {
      clearTimeout(timer);
      target.exit(1);
    });
  };
  target.on("unhandledRejection", onRejection);
  target.on("uncaughtException", onException);
  return {
    get unhandledRejections() {
      return rejections;
    },
    uninstall() {
      target.off("unhandledRejection", onRejection);
      target.off("uncaughtException", onException);
    },
  };
}
