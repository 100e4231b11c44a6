import * as dagCbor from "@ipld/dag-cbor";
import { expect } from "chai";
import { BadJobCodeError, JobThrewError, Sandbox } from "../../../node/src/compute/index.js";

/** Runs `export function probe() { <body> }` and returns the decoded result. */
async function probe(sandbox: Sandbox, body: string, seed?: Uint8Array): Promise<unknown> {
  const output = await sandbox.run({ source: `export function probe() { ${body} }`, entry: "probe", args: [], seed });
  return dagCbor.decode(output.bytes);
}

describe("compute: the sandbox offers no clock, randomness, timers or I/O", function () {
  let sandbox: Sandbox;
  before(async function () {
    sandbox = new Sandbox();
    await sandbox.warm();
  });
  after(async function () {
    await sandbox.close();
  });

  it("has no Date (no clock)", async function () {
    expect(await probe(sandbox, "return typeof Date;")).to.equal("undefined");
  });

  it("draws the same Math.random sequence for the same seed and another for another seed", async function () {
    const draw = "return [Math.random(), Math.random(), Math.random()];";
    const seedA = new Uint8Array(16).fill(7);
    const seedB = new Uint8Array(16).fill(8);
    const first = (await probe(sandbox, draw, seedA)) as number[];
    expect(await probe(sandbox, draw, seedA)).to.deep.equal(first);
    expect(await probe(sandbox, draw, seedB)).to.not.deep.equal(first);
    for (const value of first) expect(value).to.be.within(0, 1);
  });

  it("has no timers", async function () {
    const kinds = await probe(sandbox, "return [typeof setTimeout, typeof setInterval, typeof queueMicrotask, typeof setImmediate];");
    expect(kinds).to.deep.equal(["undefined", "undefined", "undefined", "undefined"]);
  });

  it("has no network, filesystem or process access", async function () {
    const kinds = await probe(sandbox, "return [typeof fetch, typeof XMLHttpRequest, typeof require, typeof process, typeof std, typeof os, typeof print];");
    expect(kinds).to.deep.equal(Array(7).fill("undefined"));
  });

  it("has nothing that observes the garbage collector or shared memory", async function () {
    const kinds = await probe(sandbox, "return [typeof WeakRef, typeof FinalizationRegistry, typeof SharedArrayBuffer, typeof Atomics];");
    expect(kinds).to.deep.equal(Array(4).fill("undefined"));
  });

  it("refuses static imports as bad job code", async function () {
    const error = await sandbox.run({ source: `import fs from "fs"; export const probe = () => 1;`, entry: "probe", args: [] }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(BadJobCodeError);
  });

  it("rejects dynamic import() as a job error", async function () {
    const error = await sandbox.run({ source: `export async function probe() { return await import("node:fs"); }`, entry: "probe", args: [] }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(JobThrewError);
    expect((error as Error).message).to.match(/could not load module/);
  });

  it("passes IPLD values in and out unchanged: bytes, BigInt, CID links, nested maps", async function () {
    const { CID } = await import("multiformats/cid");
    const link = CID.parse("bafyreigdmqpykrgxyaxtlafqpqhzrb7qy2rh75nldvfd4tucqmqqme5yge");
    const value = { bytes: new Uint8Array([0, 1, 255]), big: 2n ** 62n, link, list: [1, 2.5, "x", null, true], nested: { "a b": { c: [] } } };
    const output = await sandbox.run({ source: "export const echo = (v) => v;", entry: "echo", args: [value] });
    expect(output.bytes).to.deep.equal(dagCbor.encode(value));
  });
});
