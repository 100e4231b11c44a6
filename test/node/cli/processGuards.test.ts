/**
 * Finding 19 of issue 12: the ring-node process survives a rejected background promise (logged),
 * and stops cleanly with exit code 1 on an uncaught exception. Run in a child process with the
 * handlers `ring-node start` installs (cli/processGuards.ts).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/guardedChild.ts", import.meta.url));

function runChild(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [CHILD, mode], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr });
    });
  });
}

describe("ring-node process guards (finding 19)", () => {
  it("keeps running after a rejected background promise and logs it", async () => {
    const child = await runChild("rejection");
    expect(child.stdout, child.stderr).to.include("alive");
    expect(child.code).to.equal(0);
    const logged = child.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string; err?: { message: string } });
    expect(logged.filter((line) => line.msg.startsWith("unhandled promise rejection")).map((line) => line.err?.message)).to.have.members(["background task failed", "second background failure"]);
  });

  it("stops the node and exits with code 1 on an uncaught exception", async () => {
    const child = await runChild("exception");
    expect(child.code).to.equal(1);
    expect(child.stdout).to.include("stopped");
    expect(child.stdout).to.not.include("still running");
    expect(child.stdout).to.include("uncaught exception: stopping the node");
  });
});
