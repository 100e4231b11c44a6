/**
 * Errors of the compute layer, each a class with a stable `name` so callers can branch on it.
 *
 * Two families matter to the rounds engine:
 * - *Deterministic job failures* (`JobFailure` subclasses): every honest member running the same
 *   job on the same inputs gets the same one. They are a result the ring can agree on.
 * - *Non-answers* (`SandboxTimeoutError`, `SandboxCrashedError`, aborts): this member could not
 *   produce any result in time. They say nothing about the job; the shard is reassigned.
 */

/** Kinds of deterministic failure, as they travel between the sandbox worker and the host. */
export type JobFailureKind = "fuel" | "memory" | "threw" | "bad-output" | "bad-code";

export abstract class JobFailure extends Error {
  abstract readonly kind: JobFailureKind;
  constructor(
    message: string,
    /** Fuel consumed up to the failure (interrupt ticks, see `SandboxLimits.fuel`). */
    readonly fuelUsed = 0,
  ) {
    super(message);
  }
}

/** The job ran longer than its fuel allows (an endless loop ends here). */
export class FuelExhaustedError extends JobFailure {
  override name = "FuelExhaustedError";
  readonly kind = "fuel" as const;
}

/** The job tried to allocate more than its memory limit. */
export class MemoryLimitError extends JobFailure {
  override name = "MemoryLimitError";
  readonly kind = "memory" as const;
}

/** The job's own code threw (including a stack overflow inside the sandbox). */
export class JobThrewError extends JobFailure {
  override name = "JobThrewError";
  readonly kind = "threw" as const;
}

/** The job returned something that has no canonical dag-cbor encoding, or too large an output. */
export class BadOutputError extends JobFailure {
  override name = "BadOutputError";
  readonly kind = "bad-output" as const;
}

/** The job code does not compile, or does not export the function that was called. */
export class BadJobCodeError extends JobFailure {
  override name = "BadJobCodeError";
  readonly kind = "bad-code" as const;
}

export function jobFailureFrom(kind: JobFailureKind, message: string, fuelUsed: number): JobFailure {
  switch (kind) {
    case "fuel":
      return new FuelExhaustedError(message, fuelUsed);
    case "memory":
      return new MemoryLimitError(message, fuelUsed);
    case "threw":
      return new JobThrewError(message, fuelUsed);
    case "bad-output":
      return new BadOutputError(message, fuelUsed);
    case "bad-code":
      return new BadJobCodeError(message, fuelUsed);
  }
}

/** Wall-clock safety net: this member gave up waiting for the sandbox. Not deterministic. */
export class SandboxTimeoutError extends Error {
  override name = "SandboxTimeoutError";
}

/** The sandbox worker died (a host-level fault); the next call starts a fresh one. */
export class SandboxCrashedError extends Error {
  override name = "SandboxCrashedError";
}

/** The sandbox was closed before or while the call ran. */
export class SandboxClosedError extends Error {
  override name = "SandboxClosedError";
}

/** A job spec or job code block that does not validate. */
export class JobSpecError extends Error {
  override name = "JobSpecError";
}

/** An input or code block that is missing, or whose bytes do not match its CID. */
export class JobInputError extends Error {
  override name = "JobInputError";
}

/** A plan that cannot be made (e.g. redundancy above the member count) or an unknown shard/member. */
export class PlanError extends Error {
  override name = "PlanError";
}

/**
 * A job code block's WebAssembly module breaks the job ABI or the determinism rules (job.ts,
 * wasmModule.ts). Refused at submit; at load (a member given such a block anyway) it is the
 * deterministic failure BadJobCodeError carrying this error's name and message.
 */
export class WasmModuleError extends JobSpecError {
  override name = "WasmModuleError";
}

/** Not a WebAssembly binary, or one the engine does not accept. */
export class WasmMalformedError extends WasmModuleError {
  override name = "WasmMalformedError";
}

/** The module imports something: jobs get no host functions at all. */
export class WasmImportError extends WasmModuleError {
  override name = "WasmImportError";
}

/** The module has a start function (code that would run at instantiation, unmetered). */
export class WasmStartFunctionError extends WasmModuleError {
  override name = "WasmStartFunctionError";
}

/** The module's memory has no maximum, a maximum above the job's memory limit, or is shared/64-bit. */
export class WasmMemoryError extends WasmModuleError {
  override name = "WasmMemoryError";
}

/** The module uses floating-point instructions (refused: NaN bit patterns differ between machines). */
export class WasmFloatError extends WasmModuleError {
  override name = "WasmFloatError";
}

/** The module uses instructions outside MVP + sign extension + bulk memory + reference types. */
export class WasmFeatureError extends WasmModuleError {
  override name = "WasmFeatureError";
}

/** The module lacks one of the ABI's exports (memory, alloc, map, reduce). */
export class WasmExportError extends WasmModuleError {
  override name = "WasmExportError";
}
