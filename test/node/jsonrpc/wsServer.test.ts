/**
 * JSON-RPC over WebSocket (node/src/jsonrpc/wsServer.ts) on a real HTTP server's port over
 * loopback: answers and notifications, and the bounds: an oversized frame, a flood of sockets, a
 * foreign page's Origin, a consumer that does not read.
 */
import type { Socket } from "node:net";
import { expect } from "chai";
import { after, before, describe, it } from "mocha";
import { WebSocket } from "ws";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { WS_CLOSE_CODES } from "../../../node/src/api/subscriptions.js";
import { RingsRpcError } from "../../../node/src/client/ringsRpcClient.js";
import { WsConnection, wsUrlOf } from "../../../node/src/client/wsConnection.js";
import { RpcDispatcher, type RpcMethod } from "../../../node/src/jsonrpc/dispatcher.js";
import { JsonRpcHttpServer } from "../../../node/src/jsonrpc/httpServer.js";
import { JsonRpcWsServer } from "../../../node/src/jsonrpc/wsServer.js";

const FRAME = 4 * 1024;
const BUFFERED = 64 * 1024;

const methods: Record<string, RpcMethod> = {
  Echo: (params) => Promise.resolve(params),
  /** Sends `count` notifications of `bytes` each on the caller's socket; answers how many went. */
  Flood: (params, context) => {
    const { count, bytes } = params as { count: number; bytes: number };
    let sent = 0;
    while (sent < count && context.connection?.notify("blob", { data: "x".repeat(bytes) }) === true) sent++;
    return Promise.resolve(sent);
  },
};

async function codeOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    if (error instanceof RingsRpcError) return error.code;
    throw error;
  }
  throw new Error("the call succeeded");
}

describe("jsonrpc: the WebSocket endpoint", function () {
  this.timeout(30_000);
  let http: JsonRpcHttpServer;
  let ws: JsonRpcWsServer;
  let url: string;

  before(async () => {
    const dispatcher = new RpcDispatcher(methods);
    http = new JsonRpcHttpServer({ dispatcher });
    ws = new JsonRpcWsServer({ dispatcher, limits: { maxFrameBytes: FRAME, maxBufferedBytes: BUFFERED, maxSockets: 4 } });
    http.onUpgrade((request, socket, head, hosts) => ws.handleUpgrade(request, socket, head, hosts));
    url = await http.listen();
  });

  after(async () => {
    await ws.close();
    await http.close();
  });

  it("answers calls on the HTTP endpoint's port, and an unknown method with -32601 on a socket that stays open", async () => {
    const connection = await WsConnection.open(url);
    expect(await connection.call("Echo", { hello: "ring" })).to.deep.equal({ hello: "ring" });
    expect(await codeOf(connection.call("NoSuchMethod", {}))).to.equal(-32601);
    expect(await connection.call("Echo", [1])).to.deep.equal([1]);
    connection.close();
  });

  it("answers a frame over the limit with -32011 and keeps the socket; one over twice the limit closes it with 1009", async () => {
    const connection = await WsConnection.open(url);
    connection.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: 99, method: "Echo", params: { pad: "x".repeat(FRAME) } }));
    expect(await connection.call("Echo", { still: "open" })).to.deep.equal({ still: "open" });
    expect(connection.stray).to.deep.include({ id: null, error: { code: RpcErrorCode.RequestTooLarge, message: `request too large: frame exceeds ${FRAME} bytes` } });
    const closed = new Promise<{ code: number }>((resolve) => connection.onClose(resolve));
    connection.sendRaw("x".repeat(2 * FRAME + 1));
    expect((await closed).code).to.equal(1009);
    const next = await WsConnection.open(url);
    expect(await next.call("Echo", {})).to.deep.equal({});
    next.close();
  });

  it("answers a frame that is not JSON with -32700", async () => {
    const connection = await WsConnection.open(url);
    connection.sendRaw("{not json");
    await connection.call("Echo", {});
    expect(connection.stray.map((answer) => answer.error?.code)).to.deep.equal([-32700]);
    connection.close();
  });

  it("refuses an upgrade from a foreign page's Origin with HTTP 403", async () => {
    let refusal = "";
    await WsConnection.open(url, { headers: { Origin: "http://evil.example" } }).catch((error: Error) => (refusal = error.message));
    expect(refusal).to.contain("HTTP 403");
    const own = await WsConnection.open(url, { headers: { Origin: url.replace(/\/$/, "") } });
    expect(await own.call("Echo", {})).to.deep.equal({});
    own.close();
  });

  it("refuses sockets beyond its bound with HTTP 503, and takes one again once another closed", async () => {
    await waitForSockets(0);
    const open = await Promise.all([1, 2, 3, 4].map(() => WsConnection.open(url)));
    let refusal = "";
    await WsConnection.open(url).catch((error: Error) => (refusal = error.message));
    expect(refusal).to.contain("HTTP 503");
    open[0]?.close();
    await waitForSockets(3);
    const again = await WsConnection.open(url);
    expect(await again.call("Echo", {})).to.deep.equal({});
    for (const connection of [...open, again]) connection.close();
  });

  it("closes a consumer that does not read with 4008 and a reason, instead of buffering without limit", async () => {
    await waitForSockets(0);
    const client = new WebSocket(wsUrlOf(url));
    await new Promise((resolve) => client.once("open", resolve));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => client.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    const raw = (client as unknown as { _socket: Socket })._socket;
    raw.pause();
    client.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "Flood", params: { count: 5_000, bytes: 8 * 1024 } }));
    await waitForSockets(0);
    raw.resume();
    const { code, reason } = await closed;
    expect(code).to.equal(WS_CLOSE_CODES.SlowConsumer);
    expect(reason).to.equal(`slow consumer: more than ${BUFFERED} bytes unsent`);
    expect(ws.counters.slowConsumers).to.equal(1);
  });

  async function waitForSockets(count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (ws.size !== count) {
      if (Date.now() > deadline) throw new Error(`${ws.size} sockets open, not ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
