import { expect } from "chai";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { computeExamples, type ChildComputation } from "./fixtures/computeInChild.js";

const run = promisify(execFile);
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/computeInChild.ts", import.meta.url));

async function computeInChild(shards: number): Promise<ChildComputation[]> {
  const { stdout } = await run(TSX, [CHILD, String(shards)], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as ChildComputation[];
}

describe("compute: determinism across processes", function () {
  it("gives identical output bytes for the same job in two separate processes and in this one", async function () {
    const [first, second, here] = await Promise.all([computeInChild(3), computeInChild(3), computeExamples(3)]);
    expect(first).to.have.length(2);
    expect(second).to.deep.equal(first);
    expect(here).to.deep.equal(first);
    for (const computation of first) expect(computation.bytes.length).to.be.greaterThan(0);
  });
});
