/**
 * SubmitJob's input schema (rounds/jobRpc.ts): a pin input must name the upstream ring it trusts,
 * and the refusal says so (not a union's bare "Invalid input"). The job service is never reached.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { jobRpcMethods } from "../../../../node/src/rounds/jobRpc.js";
import type { JobService } from "../../../../node/src/rounds/jobService.js";
import { PIN_RING_REQUIRED } from "../../../../node/src/rounds/pinInput.js";

const submitted: unknown[] = [];
const jobs = {
  submit: (request: unknown) => {
    submitted.push(request);
    return Promise.resolve({ job: "j", entry: "e", seq: 0, existing: false });
  },
} as unknown as JobService;
const submitJob = jobRpcMethods(jobs).SubmitJob as (params: unknown) => Promise<unknown>;
const RING = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

async function refusal(inputs: unknown[]): Promise<Error | null> {
  return submitJob({ source: "export function map() {}", inputs, shards: 1, redundancy: 1 }).then(
    () => null,
    (error: unknown) => error as Error,
  );
}

describe("SubmitJob pin inputs", () => {
  it("refuses a pin input without its ring, saying the input must name the upstream ring it trusts", async () => {
    const refused = await refusal([{ pin: 7 }]);
    expect(refused?.name).to.equal("InvalidParamsError");
    expect(refused?.message).to.equal(`Invalid params: inputs.0.ring: ${PIN_RING_REQUIRED}`);
  });

  it("refuses a pin input whose ring is not an address", async () => {
    const refused = await refusal([{ text: "a" }, { pin: 7, ring: "map-ring" }]);
    expect(refused?.name).to.equal("InvalidParamsError");
    expect(refused?.message).to.match(/^Invalid params: inputs\.1\.ring: ring is not an address/);
  });

  it("accepts a pin input naming its ring, beside the other kinds of input", async () => {
    submitted.length = 0;
    await submitJob({ source: "export function map() {}", inputs: [{ text: "a" }, { pin: 7, ring: RING }], shards: 1, redundancy: 1 });
    expect((submitted[0] as { inputs: unknown[] }).inputs).to.deep.equal([{ text: "a" }, { pin: 7, ring: RING }]);
  });
});
