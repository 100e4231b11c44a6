/**
 * Finding 18 of issue 12, on a real `ring-node start`: the password comes from
 * RING_NODE_PASSWORD_FILE, and an existing data directory made 0755 is narrowed to 0700 before the
 * keystore is opened. The password in the file is wrong, so the node stops right after reading it
 * (no chain is needed).
 */
import { execFile } from "node:child_process";
import { chmod, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { initRingNode, RING_NODE_BIN } from "../../../scripts/devnet/ringNodeProcess.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const run = promisify(execFile);

describe("ring-node start keeps its secrets (finding 18)", function () {
  this.timeout(120_000);
  const dirs = tempDirs("rings-start-secrets");
  after(() => dirs.cleanup());

  it("reads RING_NODE_PASSWORD_FILE and narrows an existing 0755 data directory to 0700", async () => {
    const dataDir = await dirs.make("node");
    await initRingNode(dataDir);
    await chmod(dataDir, 0o755);
    const passwordFile = join(await dirs.make("secret"), "password");
    await writeFile(passwordFile, "the password in the file\n", { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env, RING_NODE_PASSWORD_FILE: passwordFile, FORCE_COLOR: "0" };
    delete env.RING_NODE_PASSWORD;
    let stderr = "";
    try {
      await run(process.execPath, [RING_NODE_BIN, "start", "--data-dir", dataDir, "--rpc-url", "http://127.0.0.1:9", "--ring", "0x0000000000000000000000000000000000000001"], { env, timeout: 60_000 });
      expect.fail("ring-node start took a wrong password");
    } catch (error) {
      stderr = (error as { stderr?: string }).stderr ?? "";
    }
    expect(stderr).to.include("WrongPasswordError");
    expect((await stat(dataDir)).mode & 0o777).to.equal(0o700);
  });
});
