/**
 * SubmitJob with a WebAssembly module (rounds/jobRpc.ts -> JobService.submit): the module is checked
 * against the job's limits before anything is stored or appended, so a hostile module is refused
 * with the rule it breaks. The service's components are never reached on that path.
 */
import binaryen from "binaryen";
import { expect } from "chai";
import { describe, it } from "mocha";
import { jobRpcMethods } from "../../../../node/src/rounds/jobRpc.js";
import { JobService } from "../../../../node/src/rounds/jobService.js";

const unreached = {} as never;
const submitJob = jobRpcMethods(new JobService(unreached, unreached, unreached)).SubmitJob as (params: unknown) => Promise<unknown>;

function moduleBase64(text: string): string {
  const module = binaryen.parseText(text);
  const bytes = module.emitBinary();
  module.dispose();
  return Buffer.from(bytes).toString("base64");
}

describe("SubmitJob WebAssembly modules", () => {
  it("refuses a module that imports a host function, naming the import", async () => {
    const wasm = moduleBase64(`(module (import "env" "now" (func (result i32))) (memory (export "memory") 1 2)
      (func (export "alloc") (param i32) (result i32) i32.const 0)
      (func (export "map") (param i32 i32 i32 i32) (result i64) i64.const 0)
      (func (export "reduce") (param i32 i32) (result i64) i64.const 0))`);
    const refused = await submitJob({ wasm, inputs: [], shards: 1, redundancy: 1 }).then(() => null, (error: unknown) => error as Error);
    expect(refused?.message).to.equal("job rejected: the module imports env.now: job modules may import nothing");
  });

  it("refuses a request that gives both a module and a source", async () => {
    const refused = await submitJob({ wasm: "AGFzbQEAAAA=", source: "export function map() {}", inputs: [], shards: 1, redundancy: 1 }).then(() => null, (error: unknown) => error as Error);
    expect(refused?.name).to.equal("InvalidParamsError");
    expect(refused?.message).to.match(/exactly one of source, wasm and code/);
  });
});
