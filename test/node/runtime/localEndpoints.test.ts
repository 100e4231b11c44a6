/**
 * The local endpoints of a member node — control (status, append, log slices behind a bearer
 * token) and Prometheus metrics — each started on fakes of its components.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { CONTROL_FILE, controlService, type ControlComponents, type ControlInfo } from "../../../node/src/control/server.js";
import { silentLogger } from "../../../node/src/logging.js";
import { METRICS_FILE, metricsService } from "../../../node/src/metrics/metricsService.js";
import type { NodeStatus } from "../../../node/src/status/status.js";
import { fakeControlComponents } from "./fakeControl.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const address = Wallet.createRandom().address;
const status: NodeStatus = {
  address,
  peerId: "16Uiu2-fake",
  ring: Wallet.createRandom().address,
  chainId: "31337",
  round: "7",
  multiaddrs: [],
  own: { seq: 4, cid: "bafy-own" },
  members: [{ address, self: true, held: { seq: 4, cid: "bafy-own" }, claimed: null, onChain: { head: "0x", held: true }, lag: 0, pinnedSeq: 4, connected: true }],
  peers: [],
  rejections: 2,
  forks: 0,
  relay: { reservations: [], via: [] },
};

function controlComponents(dataDir: string, appended: unknown[]): ControlComponents {
  return fakeControlComponents(dataDir, appended, () => Promise.resolve(status), address);
}

describe("local endpoints on fakes", () => {
  const dirs = tempDirs("rings-endpoints");
  after(() => dirs.cleanup());

  describe("control", () => {
    it("refuses a request without the bearer token", async () => {
      const service = controlService()(controlComponents(await dirs.make("c1"), []));
      await service.start();
      try {
        const response = await fetch(`${service.info?.url}/status`);
        expect(response.status).to.equal(401);
      } finally {
        await service.stop();
      }
    });

    it("writes its URL and token to control.json and answers /status with the token", async () => {
      const dataDir = await dirs.make("c2");
      const service = controlService()(controlComponents(dataDir, []));
      await service.start();
      try {
        const info = JSON.parse(await readFile(join(dataDir, CONTROL_FILE), "utf8")) as ControlInfo;
        const response = await fetch(`${info.url}/status`, { headers: { authorization: `Bearer ${info.token}` } });
        expect(((await response.json()) as NodeStatus).round).to.equal("7");
      } finally {
        await service.stop();
      }
    });

    it("refuses an append without a payload and appends one with it", async () => {
      const appended: unknown[] = [];
      const service = controlService()(controlComponents(await dirs.make("c3"), appended));
      await service.start();
      try {
        const headers = { authorization: `Bearer ${service.info?.token}`, "content-type": "application/json" };
        const empty = await fetch(`${service.info?.url}/append`, { method: "POST", headers, body: "{}" });
        expect(empty.status).to.equal(400);
        const ok = await fetch(`${service.info?.url}/append`, { method: "POST", headers, body: JSON.stringify({ payload: { hello: 1 } }) });
        expect(ok.status).to.equal(200);
        expect(appended).to.deep.equal([{ hello: 1 }]);
      } finally {
        await service.stop();
      }
    });

    it("removes control.json when stopped", async () => {
      const dataDir = await dirs.make("c4");
      const service = controlService()(controlComponents(dataDir, []));
      await service.start();
      await service.stop();
      const gone = await readFile(join(dataDir, CONTROL_FILE), "utf8").then(() => false, () => true);
      expect(gone).to.equal(true);
    });
  });

  describe("metrics", () => {
    const components = (dataDir: string) => ({ chain: { ring: status.ring }, signer: { address }, config: { dataDir }, logger: silentLogger(), status: () => Promise.resolve(status) });

    it("serves the status as Prometheus gauges labelled with ring and member", async () => {
      const dataDir = await dirs.make("m1");
      const service = metricsService({ enabled: true, host: "127.0.0.1", port: 0 })(components(dataDir));
      await service.start();
      try {
        const { url } = JSON.parse(await readFile(join(dataDir, METRICS_FILE), "utf8")) as { url: string };
        const text = await (await fetch(url)).text();
        expect(text).to.match(/ring_node_own_log_seq\{[^}]*member="0x[0-9a-fA-F]{40}"[^}]*\} 4\b/);
        expect(text).to.match(/ring_node_rejected_batches\{[^}]*\} 2\b/);
        expect(text).to.match(/ring_node_round\{[^}]*\} 7\b/);
      } finally {
        await service.stop();
      }
    });

    it("does not listen when disabled", async () => {
      const service = metricsService({ enabled: false, host: "127.0.0.1", port: 0 })(components(await dirs.make("m2")));
      await service.start();
      expect(service.url).to.equal(null);
      await service.stop();
    });
  });
});
