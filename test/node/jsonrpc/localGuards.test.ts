/**
 * Finding 16 of issue 12: the node's local HTTP servers (jobs, control, metrics) take requests only
 * from the operator's own tools: a bearer token, `application/json` POSTs, their own Host and no
 * foreign Origin, so a web page in the operator's browser (a text/plain POST, DNS rebinding)
 * cannot make the member sign job entries. The public JSON-RPC server refuses only non-JSON POSTs.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { controlService, type ControlComponents } from "../../../node/src/control/server.js";
import { RpcDispatcher } from "../../../node/src/jsonrpc/dispatcher.js";
import { JsonRpcHttpServer } from "../../../node/src/jsonrpc/httpServer.js";
import { silentLogger } from "../../../node/src/logging.js";
import { metricsService } from "../../../node/src/metrics/metricsService.js";
import { jobRpcMethods } from "../../../node/src/rounds/jobRpc.js";
import { JobsClient } from "../../../node/src/rounds/jobsClient.js";
import type { JobService } from "../../../node/src/rounds/jobService.js";
import type { NodeStatus } from "../../../node/src/status/status.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";
import { fakeControlComponents } from "../runtime/fakeControl.js";
import { rawRequest } from "./rawHttp.js";

const TOKEN = "a".repeat(48);
const submit = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "SubmitJob", params: { source: "export const map = () => 1;", inputs: [], shards: 1, redundancy: 1 } });

/** A jobs endpoint as the rounds service builds it, on a fake JobService that records submissions. */
async function jobsEndpoint(): Promise<{ server: JsonRpcHttpServer; url: string; submitted: unknown[] }> {
  const submitted: unknown[] = [];
  const jobs = {
    submit: (request: unknown) => {
      submitted.push(request);
      return Promise.resolve({ job: "0x01", entry: "bafy-entry", seq: submitted.length - 1, existing: false });
    },
  } as unknown as JobService;
  const server = new JsonRpcHttpServer({ dispatcher: new RpcDispatcher(jobRpcMethods(jobs)), token: TOKEN });
  const url = await server.listen();
  return { server, url, submitted };
}

const jsonWithToken = { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` };

describe("local HTTP servers refuse what a web page could send (finding 16)", () => {
  const dirs = tempDirs("rings-guards");
  after(() => dirs.cleanup());

  describe("jobs endpoint", () => {
    let endpoint: Awaited<ReturnType<typeof jobsEndpoint>>;
    beforeEach(async () => {
      endpoint = await jobsEndpoint();
    });
    afterEach(() => endpoint.server.close());

    it("refuses a SubmitJob without the bearer token", async () => {
      const answer = await rawRequest(endpoint.url, { headers: { "Content-Type": "application/json" }, body: submit });
      expect(answer.status).to.equal(401);
      expect(endpoint.submitted).to.have.length(0);
    });

    it("refuses a text/plain POST even with the token", async () => {
      const answer = await rawRequest(endpoint.url, { headers: { ...jsonWithToken, "Content-Type": "text/plain" }, body: submit });
      expect(answer.status).to.equal(415);
      expect(endpoint.submitted).to.have.length(0);
    });

    it("refuses a request from a foreign Origin", async () => {
      const answer = await rawRequest(endpoint.url, { headers: { ...jsonWithToken, Origin: "http://evil.example" }, body: submit });
      expect(answer.status).to.equal(403);
      expect(endpoint.submitted).to.have.length(0);
    });

    it("refuses a Host that is not its listen address (DNS rebinding)", async () => {
      const port = new URL(endpoint.url).port;
      const answer = await rawRequest(endpoint.url, { headers: { ...jsonWithToken, Host: `rebind.evil.example:${port}` }, body: submit });
      expect(answer.status).to.equal(403);
      expect(endpoint.submitted).to.have.length(0);
    });

    it("takes a SubmitJob from the JobsClient with the token", async () => {
      const submitted = await new JobsClient(endpoint.url, TOKEN).submit({ source: "export const map = () => 1;", inputs: [], shards: 1, redundancy: 1 });
      expect(submitted.job).to.equal("0x01");
      expect(endpoint.submitted).to.have.length(1);
    });

    it("takes its own Origin and localhost as Host", async () => {
      const port = new URL(endpoint.url).port;
      const answer = await rawRequest(endpoint.url, { headers: { ...jsonWithToken, Host: `localhost:${port}`, Origin: `http://localhost:${port}` }, body: submit });
      expect(answer.status).to.equal(200);
      expect(endpoint.submitted).to.have.length(1);
    });
  });

  describe("control endpoint", () => {
    const appended: unknown[] = [];
    const components = (dataDir: string): ControlComponents => fakeControlComponents(dataDir, appended, () => Promise.reject(new Error("not used")));

    let service: ReturnType<ReturnType<typeof controlService>>;
    let url: string;
    let port: string;
    let auth: Record<string, string>;
    const body = JSON.stringify({ payload: { from: "a page" } });
    beforeEach(async () => {
      appended.length = 0;
      service = controlService()(components(await dirs.make("control")));
      await service.start();
      url = `${service.info?.url}/append`;
      port = new URL(url).port;
      auth = { Authorization: `Bearer ${service.info?.token}` };
    });
    afterEach(() => service.stop());

    it("refuses a text/plain append", async () => {
      expect((await rawRequest(url, { headers: { ...auth, "Content-Type": "text/plain" }, body })).status).to.equal(415);
      expect(appended).to.deep.equal([]);
    });

    it("refuses an append from a foreign Origin", async () => {
      expect((await rawRequest(url, { headers: { ...auth, "Content-Type": "application/json", Origin: "http://evil.example" }, body })).status).to.equal(403);
      expect(appended).to.deep.equal([]);
    });

    it("refuses an append whose Host is not its listen address (DNS rebinding)", async () => {
      expect((await rawRequest(url, { headers: { ...auth, "Content-Type": "application/json", Host: `rebind.evil.example:${port}` }, body })).status).to.equal(403);
      expect(appended).to.deep.equal([]);
    });

    it("takes a JSON append with the token", async () => {
      expect((await rawRequest(url, { headers: { ...auth, "Content-Type": "application/json" }, body })).status).to.equal(200);
      expect(appended).to.deep.equal([{ from: "a page" }]);
    });
  });

  describe("metrics endpoint", () => {
    let service: ReturnType<ReturnType<typeof metricsService>>;
    beforeEach(async () => {
      const dataDir = await dirs.make("metrics");
      const status = { members: [], peers: [], round: "0", rejections: 0, forks: 0, own: null } as unknown as NodeStatus;
      service = metricsService({ enabled: true, host: "127.0.0.1", port: 0 })({ chain: { ring: address0() }, signer: { address: address0() }, config: { dataDir }, logger: silentLogger(), status: () => Promise.resolve(status) });
      await service.start();
    });
    afterEach(() => service.stop());

    it("refuses a scrape whose Host is not its listen address (DNS rebinding)", async () => {
      const url = service.url as string;
      expect((await rawRequest(url, { method: "GET", headers: { Host: `rebind.evil.example:${new URL(url).port}` } })).status).to.equal(403);
    });

    it("refuses a scrape from a foreign Origin", async () => {
      expect((await rawRequest(service.url as string, { method: "GET", headers: { Origin: "http://evil.example" } })).status).to.equal(403);
    });

    it("answers a scrape without an Origin", async () => {
      expect((await rawRequest(service.url as string, { method: "GET" })).status).to.equal(200);
    });
  });

  describe("jobs-rpc.json", () => {
    it("gives JobsClient.forDataDir the endpoint's URL and token", async () => {
      const dataDir = await dirs.make("info");
      const endpoint = await jobsEndpoint();
      try {
        await writeFile(join(dataDir, "jobs-rpc.json"), JSON.stringify({ url: endpoint.url, token: TOKEN, pid: process.pid, address: address0() }), { mode: 0o600 });
        const client = await JobsClient.forDataDir(dataDir);
        expect((await client.submit({ source: "x", inputs: [], shards: 1, redundancy: 1 })).job).to.equal("0x01");
      } finally {
        await endpoint.server.close();
      }
    });
  });

  describe("public JSON-RPC server (no token: dapps call it)", () => {
    const echo = new RpcDispatcher({ Echo: (params) => Promise.resolve(params) });

    it("refuses a text/plain POST", async () => {
      const server = new JsonRpcHttpServer({ dispatcher: echo });
      const url = await server.listen();
      try {
        const answer = await rawRequest(url, { headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "Echo", params: [1] }) });
        expect(answer.status).to.equal(415);
      } finally {
        await server.close();
      }
    });

    it("answers a JSON POST from any Origin without a token", async () => {
      const server = new JsonRpcHttpServer({ dispatcher: echo });
      const url = await server.listen();
      try {
        const answer = await rawRequest(url, { headers: { "Content-Type": "application/json; charset=utf-8", Origin: "https://dapp.example" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "Echo", params: [1] }) });
        expect(answer.status).to.equal(200);
        expect(JSON.parse(answer.body)).to.deep.include({ result: [1] });
      } finally {
        await server.close();
      }
    });
  });
});

function address0(): string {
  return "0x0000000000000000000000000000000000000001";
}
