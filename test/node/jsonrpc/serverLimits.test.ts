/**
 * Finding 17 of issue 12: the node's HTTP servers bound what clients hold: idle or half-sent
 * requests are cut off after the headers timeout, sockets beyond `maxConnections` are closed,
 * and JSON-RPC requests beyond the in-flight cap (overall, or from one address) get HTTP 503 with
 * -32012 at once.
 */
import { connect, type Socket } from "node:net";
import { expect } from "chai";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { controlService, type ControlComponents } from "../../../node/src/control/server.js";
import { RpcDispatcher } from "../../../node/src/jsonrpc/dispatcher.js";
import { JsonRpcHttpServer } from "../../../node/src/jsonrpc/httpServer.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";
import { rawRequest } from "./rawHttp.js";

/** Opens a socket and writes `prefix`; resolves how long until the server closed it (or null after `waitMs`). */
async function closedAfter(url: string, prefix: string, waitMs: number): Promise<number | null> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  if (prefix !== "") socket.write(prefix);
  return new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, waitMs);
    socket.on("data", () => undefined);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
    socket.on("error", () => undefined);
  });
}

const PARTIAL = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
const echo = () => new RpcDispatcher({ Echo: (params) => Promise.resolve(params) });

describe("HTTP servers bound connections and requests (finding 17)", () => {
  const dirs = tempDirs("rings-limits");
  after(() => dirs.cleanup());

  it("cuts off an idle partial request after the headers timeout", async () => {
    const server = new JsonRpcHttpServer({ dispatcher: echo(), limits: { headersTimeoutMs: 300, requestTimeoutMs: 1_000 } });
    const url = await server.listen();
    try {
      const closed = await closedAfter(url, PARTIAL, 5_000);
      expect(closed, "the half-sent request is still open after 5 s").to.not.equal(null);
      expect(closed).to.be.below(3_000);
    } finally {
      await server.close();
    }
  });

  it("cuts off a partial request to the public server within 10 s by default", async function () {
    this.timeout(30_000);
    const server = new JsonRpcHttpServer({ dispatcher: echo() });
    const url = await server.listen();
    try {
      const closed = await closedAfter(url, PARTIAL, 15_000);
      expect(closed, "the half-sent request is still open after 15 s").to.not.equal(null);
      expect(closed).to.be.below(12_000);
    } finally {
      await server.close();
    }
  });

  it("cuts off an idle partial request to the control endpoint after the headers timeout", async () => {
    const components = {
      config: { dataDir: await dirs.make("control"), controlPort: 0 },
      signer: { address: "0x0000000000000000000000000000000000000001", peerId: { toString: () => "16Uiu2-fake" } },
      streams: { getMultiaddrs: () => [] },
    } as unknown as ControlComponents;
    const service = controlService({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 1_000 } })(components);
    await service.start();
    try {
      const closed = await closedAfter(service.info?.url as string, "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n", 5_000);
      expect(closed, "the half-sent request is still open after 5 s").to.not.equal(null);
      expect(closed).to.be.below(3_000);
    } finally {
      await service.stop();
    }
  });

  it("closes sockets beyond maxConnections", async () => {
    const server = new JsonRpcHttpServer({ dispatcher: echo(), limits: { maxConnections: 2 } });
    const url = await server.listen();
    const { port } = new URL(url);
    const held = [connect(Number(port), "127.0.0.1"), connect(Number(port), "127.0.0.1")];
    try {
      await Promise.all(held.map((socket) => new Promise((resolve) => socket.once("connect", resolve))));
      // Let the server accept both before the third arrives.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closed = await closedAfter(url, "", 2_000);
      expect(closed, "the third socket stayed open").to.not.equal(null);
    } finally {
      for (const socket of held) socket.destroy();
      await server.close();
    }
  });

  describe("in-flight cap", () => {
    let release: () => void = () => undefined;
    let server: JsonRpcHttpServer;
    let url: string;
    const call = (method: string) => rawRequest(url, { headers: { "Content-Type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }) });

    beforeEach(async () => {
      const gate = new Promise<void>((resolve) => (release = resolve));
      server = new JsonRpcHttpServer({
        dispatcher: new RpcDispatcher({ Slow: async () => gate.then(() => "done"), Echo: (params) => Promise.resolve(params) }),
        maxInFlight: 2,
      });
      url = await server.listen();
    });
    afterEach(async () => {
      release();
      await server.close();
    });

    async function fill(): Promise<Promise<unknown>[]> {
      const slow = [call("Slow"), call("Slow")];
      const deadline = Date.now() + 5_000;
      while (server.requestsInFlight < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      return slow;
    }

    it("answers a request beyond the in-flight cap with HTTP 503 and -32012", async () => {
      const slow = await fill();
      const refused = await call("Echo");
      expect(refused.status).to.equal(503);
      expect((JSON.parse(refused.body) as { error: { code: number; message: string } }).error.code).to.equal(RpcErrorCode.Unavailable);
      expect(refused.body).to.include("in flight");
      release();
      await Promise.all(slow);
    });

    it("answers a request beyond the per-address cap with HTTP 503 while another address is still served", async () => {
      let open: () => void = () => undefined;
      const slowGate = new Promise<void>((resolve) => (open = resolve));
      const perIp = new JsonRpcHttpServer({ dispatcher: new RpcDispatcher({ Slow: async () => slowGate.then(() => "done"), Echo: (params) => Promise.resolve(params) }), maxInFlight: 10, maxInFlightPerIp: 2 });
      const perIpUrl = await perIp.listen();
      const callFrom = (localAddress: string, method: string) => rawRequest(perIpUrl, { localAddress, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }) });
      try {
        const slow = [callFrom("127.0.0.1", "Slow"), callFrom("127.0.0.1", "Slow")];
        const deadline = Date.now() + 5_000;
        while (perIp.requestsInFlight < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        const refused = await callFrom("127.0.0.1", "Echo");
        expect(refused.status).to.equal(503);
        expect((JSON.parse(refused.body) as { error: { code: number } }).error.code).to.equal(RpcErrorCode.Unavailable);
        expect(refused.body).to.include("from 127.0.0.1");
        expect((await callFrom("127.0.0.2", "Echo")).status).to.equal(200);
        open();
        await Promise.all(slow);
      } finally {
        open();
        await perIp.close();
      }
    });

    it("takes requests again once those in flight are answered", async () => {
      const slow = await fill();
      release();
      await Promise.all(slow);
      const answer = await call("Echo");
      expect(answer.status).to.equal(200);
    });
  });
});
