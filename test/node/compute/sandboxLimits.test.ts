import { expect } from "chai";
import {
  BadJobCodeError,
  BadOutputError,
  FuelExhaustedError,
  JobThrewError,
  MAX_LIMITS,
  MAX_OUTPUT_BYTES,
  MemoryLimitError,
  SANDBOX_TIMEOUT_MS,
  Sandbox,
  SandboxTimeoutError,
  type SandboxCall,
} from "../../../node/src/compute/index.js";

function failure(sandbox: Sandbox, call: SandboxCall, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown> {
  return sandbox.run(call, options).then(
    () => expect.fail("the call was expected to fail"),
    (error: unknown) => error,
  );
}

const job = (body: string): SandboxCall => ({ source: `export function run() { ${body} }`, entry: "run", args: [], limits: { fuel: 500 } });

describe("compute: the sandbox bounds and classifies failures", function () {
  let sandbox: Sandbox;
  before(async function () {
    sandbox = new Sandbox();
    await sandbox.warm();
  });
  after(async function () {
    await sandbox.close();
  });

  it("stops an endless loop when its fuel runs out", async function () {
    const error = await failure(sandbox, job("for (;;) {}"));
    expect(error).to.be.instanceOf(FuelExhaustedError);
    expect((error as FuelExhaustedError).fuelUsed).to.be.greaterThan(500);
  });

  it("ends an endless loop at maximum fuel with the fuel error well within the sandbox timeout", async function () {
    this.timeout(SANDBOX_TIMEOUT_MS + 10_000);
    const started = Date.now();
    const error = await failure(sandbox, { ...job("for (;;) {}"), limits: { fuel: MAX_LIMITS.fuel } });
    expect(error).to.be.instanceOf(FuelExhaustedError);
    // Well within: at most half the timeout even here, on cores shared with other work.
    expect(Date.now() - started).to.be.below(SANDBOX_TIMEOUT_MS / 2);
  });

  it("keeps fuel exhaustion uncatchable by the job", async function () {
    const error = await failure(sandbox, job("for (;;) { try { for (;;) {} } catch (e) {} }"));
    expect(error).to.be.instanceOf(FuelExhaustedError);
  });

  it("stops a memory bomb at the memory limit", async function () {
    const bomb = { source: "export function run() { const hoard = []; for (;;) hoard.push(new Array(4096).fill(hoard.length)); }", entry: "run", args: [], limits: { fuel: 100_000, memoryBytes: 32 * 1024 * 1024 } };
    const error = await failure(sandbox, bomb);
    expect(error).to.be.instanceOf(MemoryLimitError);
  });

  it("reports the job's own exception with its message", async function () {
    const error = await failure(sandbox, job(`throw new RangeError("shard 3 has no input");`));
    expect(error).to.be.instanceOf(JobThrewError);
    expect((error as Error).message).to.contain("RangeError: shard 3 has no input");
  });

  it("turns runaway recursion into a job error, not a host crash", async function () {
    const error = await failure(sandbox, job("const down = (n) => down(n + 1) + 1; return down(0);"));
    expect(error).to.be.instanceOf(JobThrewError);
    expect((error as Error).message).to.contain("stack overflow");
  });

  it("rejects outputs without a dag-cbor encoding", async function () {
    for (const body of ["return () => 1;", "return { x: NaN };", "return undefined;", "return new Map();", `return { "/": 5 };`]) {
      expect(await failure(sandbox, job(body)), body).to.be.instanceOf(BadOutputError);
    }
  });

  it("rejects an output larger than one block", async function () {
    const error = await failure(sandbox, { ...job(`return "x".repeat(${MAX_OUTPUT_BYTES + 1});`), limits: { fuel: 5_000 } });
    expect(error).to.be.instanceOf(BadOutputError);
    expect((error as Error).message).to.contain("block limit");
  });

  it("refuses code that does not compile or lacks the called export", async function () {
    expect(await failure(sandbox, { source: "export function run( {", entry: "run", args: [] })).to.be.instanceOf(BadJobCodeError);
    expect(await failure(sandbox, { source: "export const other = 1;", entry: "run", args: [] })).to.be.instanceOf(BadJobCodeError);
  });

  it("gives up on a call after the wall-clock timeout and serves the next one", async function () {
    const slow = { ...job("for (;;) {}"), limits: { fuel: 2_000_000 } };
    const error = await failure(sandbox, slow, { timeoutMs: 300 });
    expect(error).to.be.instanceOf(SandboxTimeoutError);
    const output = await sandbox.run({ source: "export const run = () => 42;", entry: "run", args: [] });
    expect(output.bytes).to.deep.equal(Uint8Array.of(0x18, 42));
  });

  it("abandons a call when its AbortSignal fires", async function () {
    const controller = new AbortController();
    const pending = failure(sandbox, { ...job("for (;;) {}"), limits: { fuel: 2_000_000 } }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect((await pending as Error).name).to.equal("AbortError");
  });
});
