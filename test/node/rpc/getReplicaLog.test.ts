/**
 * GetReplicaLog over a replica store in memory, called through the typed client with the method
 * as its "fetch": a log of large nodes is served in pages under the byte cap, to the end.
 */
import { expect } from "chai";
import { getBytes, Wallet } from "ethers";
import { MemoryBlockstore } from "blockstore-core/memory";
import { describe, it } from "mocha";
import { LIMITS } from "../../../node/src/api/schemas.js";
import { RingsRpcClient, RingsRpcError, type GetReplicaLogResult } from "../../../node/src/client/ringsRpcClient.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { signLogNodeWithKey, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { ReplicaStore } from "../../../node/src/replica/replicaStore.js";
import { replicaLogAuth } from "../../../node/src/client/requests.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";
import { GetReplicaLogMethod, type GetReplicaLogComponents, type GetReplicaLogLimits } from "../../../node/src/rpc/methods/getReplicaLog.js";

const author = Wallet.createRandom();
const ring = Wallet.createRandom().address;
const domain = ringDomain(31337, ring);

/** `count` nodes of `payloadBytes` each, oldest first. */
async function largeLog(count: number, payloadBytes: number): Promise<EncodedLogNode[]> {
  const nodes: EncodedLogNode[] = [];
  for (let seq = 0; seq < count; seq++) {
    const payload = new Uint8Array(payloadBytes).fill(seq % 251);
    const previous = nodes.at(-1);
    const body = { v: 1, ring, author: author.address, seq, prev: previous === undefined ? [] : [previous.cid], payload };
    nodes.push(await signLogNodeWithKey(body, getBytes(author.privateKey), domain));
  }
  return nodes;
}

const REPLICA_KEY = generateRingKeys().replicaKey;
const auth = () => replicaLogAuth(REPLICA_KEY, { ring, member: author.address });

/** The method over `store`, this node holding the ring's replica key. */
function methodOver(store: GetReplicaLogComponents["store"], limits?: Partial<GetReplicaLogLimits>): GetReplicaLogMethod {
  return new GetReplicaLogMethod({ store, replicaKeys: { get: () => Promise.resolve({ ring, replicaRing: ring, replicaKey: REPLICA_KEY, registeredAt: 0 }) }, chain: { isMember: () => Promise.resolve(true) } }, limits);
}

/** A client whose requests go straight to the method (JSON in, JSON out, as over HTTP). */
function clientOf(method: GetReplicaLogMethod): RingsRpcClient {
  const fetch = async (_url: unknown, init?: { body?: unknown }): Promise<Response> => {
    const request = JSON.parse(String(init?.body)) as { id: number; params: unknown };
    try {
      return new Response(JSON.stringify({ jsonrpc: "2.0", id: request.id, result: await method.handle(request.params, { signal: AbortSignal.timeout(10_000) }) }));
    } catch (error) {
      const { code, message } = error as { code: number; message: string };
      return new Response(JSON.stringify({ jsonrpc: "2.0", id: request.id, error: { code, message } }));
    }
  };
  return new RingsRpcClient("http://replica.invalid/", { fetch });
}

describe("GetReplicaLog bounds its answers", function () {
  this.timeout(60_000);

  it("answers a log of large nodes within the byte cap and pages to its first node", async function () {
    const nodes = await largeLog(20, 300 * 1024);
    const store = new ReplicaStore({ blockstore: new MemoryBlockstore() });
    await store.storeVerified(ring, author.address, nodes);
    const client = clientOf(methodOver(store));

    const pages: GetReplicaLogResult[] = [];
    for await (const page of client.replicaLogPages({ ring, member: author.address, limit: 1_000, auth: auth() })) pages.push(page);

    for (const page of pages) {
      const bytes = page.nodes.reduce((total, hex) => total + (hex.length - 2) / 2, 0);
      expect(bytes).to.be.at.most(LIMITS.maxReplicaLogReplyBytes);
    }
    expect(pages.length).to.be.greaterThan(1);
    const served = pages.flatMap((page) => page.nodes);
    expect(served).to.deep.equal(nodes.map((node) => `0x${Buffer.from(node.bytes).toString("hex")}`).reverse());
  });

  it("refuses a call beyond the concurrent limit without reading the log", async function () {
    const nodes = await largeLog(2, 16);
    const store = new ReplicaStore({ blockstore: new MemoryBlockstore() });
    await store.storeVerified(ring, author.address, nodes);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = { head: (r: string, m: string) => store.head(r, m), readPage: async (...args: Parameters<ReplicaStore["readPage"]>) => (await held, store.readPage(...args)) };
    const client = clientOf(methodOver(slow, { maxConcurrent: 1 }));

    const first = client.getReplicaLog({ ring, member: author.address, auth: auth() });
    const second = await client.getReplicaLog({ ring, member: author.address, auth: auth() }).then(
      () => expect.fail("the second call was expected to be refused"),
      (error: unknown) => error,
    );
    release();

    expect(second).to.be.instanceOf(RingsRpcError);
    expect((second as RingsRpcError).code).to.equal(-32012);
    expect((await first).nodes).to.have.length(2);
  });
});
