/** The compute layer's public surface: jobs, the deterministic sandbox, planning, running. */
export * from "./blocks.js";
export * from "./errors.js";
export * from "./job.js";
export * from "./limits.js";
export * from "./plan.js";
export * from "./tally.js";
export * from "./reference.js";
export * from "./runner.js";
export { Sandbox, type RunOptions, type SandboxCall, type SandboxOptions, type SandboxOutput } from "./sandbox.js";
export * from "./exampleJobs.js";
export { checkWasmModule, WASM_PAGE_BYTES } from "./wasmModule.js";
export { meterModule, FUEL_EXPORT, STACK_EXPORT, WASM_STACK_SLOTS } from "./wasmMeter.js";
