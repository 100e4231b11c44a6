import * as dagCbor from "@ipld/dag-cbor";
import { expect } from "chai";
import {
  decodeJobSpec,
  encodeData,
  encodeJobCode,
  encodeJobSpec,
  JobInputError,
  JobSpecError,
  loadJob,
  MemoryBlocks,
  parseJobSpec,
  type JobSpec,
} from "../../../node/src/compute/index.js";

async function sampleSpec(): Promise<JobSpec> {
  const code = await encodeJobCode("export const map = () => 1; export const reduce = (p) => p.length;");
  const input = await encodeData("some text");
  return { code: code.cid, inputs: [input.cid], params: { top: 3 }, shards: 4, redundancy: 2 };
}

describe("compute: job specs and code blocks", function () {
  it("identifies code by its content hash", async function () {
    const a = await encodeJobCode("export const map = () => 1;");
    const b = await encodeJobCode("export const map = () => 1;");
    const c = await encodeJobCode("export const map = () => 2;");
    expect(a.cid.equals(b.cid)).to.equal(true);
    expect(a.cid.equals(c.cid)).to.equal(false);
    expect(dagCbor.decode(a.bytes)).to.deep.equal({ source: "export const map = () => 1;" });
  });

  it("encodes a spec canonically: same spec, same CID; decoding gives it back", async function () {
    const spec = await sampleSpec();
    const first = await encodeJobSpec(spec);
    const second = await encodeJobSpec({ redundancy: 2, shards: 4, params: { top: 3 }, inputs: spec.inputs, code: spec.code });
    expect(first.cid.equals(second.cid)).to.equal(true);
    const decoded = decodeJobSpec(first.bytes);
    expect(decoded.code.equals(spec.code)).to.equal(true);
    expect(decoded).to.deep.include({ shards: 4, redundancy: 2, params: { top: 3 } });
  });

  it("rejects an invalid spec and names the field", async function () {
    const spec = await sampleSpec();
    const cases: [unknown, string][] = [
      [{ ...spec, shards: 0 }, "shards"],
      [{ ...spec, redundancy: 1.5 }, "redundancy"],
      [{ ...spec, code: "not a cid" }, "code"],
      [{ ...spec, inputs: [42] }, "inputs.0"],
      [{ ...spec, limits: { fuel: -1 } }, "limits.fuel"],
      [{ ...spec, extra: true }, "extra"],
    ];
    for (const [value, field] of cases) {
      expect(() => parseJobSpec(value), field).to.throw(JobSpecError, field);
    }
  });

  it("loads a job only from blocks whose bytes match their CIDs", async function () {
    const code = await encodeJobCode("export const map = () => 1; export const reduce = (p) => p.length;");
    const input = await encodeData("some text");
    const spec = await encodeJobSpec({ code: code.cid, inputs: [input.cid], params: null, shards: 1, redundancy: 1 });
    const honest = new MemoryBlocks();
    honest.add(code, input, spec);
    expect((await loadJob(spec.cid, honest)).inputs).to.deep.equal(["some text"]);

    const tampered = new MemoryBlocks();
    tampered.add(code, spec, { cid: input.cid, bytes: dagCbor.encode("other text") });
    const error = await loadJob(spec.cid, tampered).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(JobInputError);
    expect((error as Error).message).to.contain("do not match");

    const missing = new MemoryBlocks();
    missing.add(code, spec);
    expect(await loadJob(spec.cid, missing).catch((e: unknown) => e)).to.be.instanceOf(JobInputError);
  });
});
