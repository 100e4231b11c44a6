import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { REPO_ROOT } from "../../scripts/devnet/paths.js";
import { freePort } from "../../scripts/devnet/ports.js";

const run = promisify(execFile);

describe("main job (npm start -- --once)", function () {
  it("brings up the chain, the ring of 4 and the replica ring of 3, finalises a word count on chain, makes four posted messages final and exits 0", async function () {
    const dataDir = await mkdtemp(path.join(tmpdir(), "rings-main-"));
    try {
      const tsx = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
      const args = ["scripts/main.ts", "--once", "--port", String(await freePort()), "--data-dir", dataDir];
      const { stdout } = await run(tsx, args, { cwd: REPO_ROOT, timeout: 480_000, maxBuffer: 16 * 1024 * 1024 });
      expect(stdout).to.match(/registered through replica-0: tx 0x[0-9a-f]{64}/);
      expect(stdout).to.match(/: relayed, tx 0x[0-9a-f]{64}/);
      expect(stdout).to.match(/finalised: 4\/4 shards agreed, round \d+/);
      expect(stdout).to.match(/tx\s+0x[0-9a-f]{64} \(gas \d+\)/);
      expect(stdout).to.match(/top words\s+\d+ words; the \d+/);
      // Each of the four members posted one message and a flushed round made all four final.
      expect(stdout.match(/^message round \d+ 0x[0-9a-fA-F]{40} #\d+: \{"message":\{"txt":/gm)).to.have.length(4);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
