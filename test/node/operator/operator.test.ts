/**
 * What an operator meets: the metrics endpoint, `ring-node watch`, and a clear message (not a stack
 * trace) for a wrong password, an unreachable chain, a ring the key is not a member of and a port in use.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { METRICS_FILE } from "../../../node/src/metrics/metricsService.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { RING_NODE_BIN, ringNodeCommand, TEST_PASSWORD, type RingNodeProcess } from "../../../scripts/devnet/ringNodeProcess.js";
import { startTestRing, type TestRing } from "../../../scripts/devnet/ringOfNodes.js";
import { freePort } from "../../../scripts/devnet/ports.js";

const run = promisify(execFile);

/** Runs `ring-node start` expecting it to fail; returns its exit code and stderr. */
async function failingStart(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [RING_NODE_BIN, "start", ...args], {
      env: { ...process.env, RING_NODE_PASSWORD: TEST_PASSWORD, RING_NODE_SCRYPT_N: "1024", ...env },
      timeout: 60_000,
    });
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    return { code: failure.code ?? -1, stderr: failure.stderr ?? "" };
  }
  throw new Error("ring-node start was expected to fail");
}

describe("ring-node for operators", function () {
  let ring: TestRing;
  let node: RingNodeProcess;

  before(async function () {
    ring = await startTestRing(1, "operator");
    node = await ring.start(0);
  });

  after(async function () {
    await ring?.cleanup();
  });

  it("serves Prometheus metrics with the own log's seq after an append", async function () {
    await ringNodeCommand(["append", "--data-dir", node.options.dataDir, JSON.stringify({ hello: "metrics" })]);
    const { url } = JSON.parse(await readFile(join(node.options.dataDir, METRICS_FILE), "utf8")) as { url: string };
    const body = await waitFor(
      "own seq 0 in the metrics",
      async () => {
        const text = await (await fetch(url)).text();
        return /ring_node_own_log_seq\{[^}]*\} 0\b/.test(text) ? text : undefined;
      },
      30_000,
    );
    expect(body).to.match(/# TYPE ring_node_replication_lag gauge/);
    expect(body).to.match(/ring_node_process_resident_memory_bytes/);
  });

  it("watch prints the member's head as it changes", async function () {
    const watching = run(process.execPath, [RING_NODE_BIN, "watch", "--data-dir", node.options.dataDir, "--count", "3", "--interval-ms", "200"], { timeout: 60_000 });
    const { stdout } = await watching;
    expect(stdout).to.match(/round \d+ flushed on chain/);
    expect(stdout).to.contain(`${node.address} (self) head seq 0`);
  });

  it("refuses a wrong password with a clear message", async function () {
    const { code, stderr } = await failingStart(["--data-dir", node.options.dataDir, "--rpc-url", ring.chain.url, "--ring", ring.ring], { RING_NODE_PASSWORD: "not the password" });
    expect(code).to.not.equal(0);
    expect(stderr).to.match(/wrong password/i);
  });

  it("says so when the chain cannot be reached", async function () {
    await node.stop();
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await failingStart(["--data-dir", node.options.dataDir, "--rpc-url", url, "--ring", ring.ring]);
    expect(code).to.not.equal(0);
    expect(stderr).to.include(`chain at ${url} is unreachable`);
  });

  it("says so when the key is not a member of the ring", async function () {
    const other = await ring.dirs.make("outsider");
    await ringNodeCommand(["init", "--data-dir", other, "--json"]);
    const { code, stderr } = await failingStart(["--data-dir", other, "--rpc-url", ring.chain.url, "--ring", ring.ring]);
    expect(code).to.not.equal(0);
    expect(stderr).to.match(/not a member/i);
  });

  it("says so when the listen port is in use", async function () {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", () => resolve()));
    try {
      const { code, stderr } = await failingStart(["--data-dir", node.options.dataDir, "--rpc-url", ring.chain.url, "--ring", ring.ring, "--listen", `/ip4/127.0.0.1/tcp/${port}`]);
      expect(code).to.not.equal(0);
      expect(stderr).to.include(`listen address /ip4/127.0.0.1/tcp/${port} is in use`);
      expect(stderr).to.include("--listen");
    } finally {
      blocker.close();
    }
  });
});
