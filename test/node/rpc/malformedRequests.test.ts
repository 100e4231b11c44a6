/**
 * 5,000 random and malformed requests against a live replica node (bad JSON, wrong types, huge
 * bodies, unknown methods, notifications, batches mixing good and bad, mangled FlushToRing params),
 * with real flushes in between: every request is answered as JSON-RPC 2.0 says, the node stays
 * healthy, and its own log stays intact (every node signed by it, seqs and links unbroken).
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { recoverLogNodeAuthor } from "../../../node/src/core/logNode.js";
import type { ReplicaLogAuth } from "../../../node/src/api/requests.js";
import { buildFlushToRing, nextForwarderNonce, replicaLogAuth, type FlushToRingRequest } from "../../../node/src/client/requests.js";
import { RpcErrorCode } from "../../../node/src/api/errorCodes.js";
import { StandardErrorCode } from "../../../node/src/jsonrpc/errorCodes.js";
import { buildRpcWorld, type RpcWorld } from "../../../scripts/devnet/rpcWorld.js";
import type { ReplicaNodeUnderTest } from "../../../scripts/devnet/replicaNode.js";

const REQUESTS = 5_000;
const CONCURRENCY = 8;
const MAX_BODY_BYTES = 256 * 1024;
const SEED = Number(process.env.RINGS_FUZZ_SEED ?? 0x52494e47);

const KNOWN_CODES = new Set<number>([...Object.values(StandardErrorCode), ...Object.values(RpcErrorCode)]);

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with RINGS_FUZZ_SEED. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  kind: string;
  body: string | Uint8Array<ArrayBuffer>;
  /** Ids that must be answered, in any order; null ids are counted. `undefined`: a single answer with any id. */
  expectedIds?: (string | number | null)[];
  /** Nothing is owed (only notifications): HTTP 204. */
  silent?: boolean;
  tooLarge?: boolean;
}

function fuzzer(random: () => number, template: FlushToRingRequest, knownId: string, readAuth: ReplicaLogAuth) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const randomString = (length: number) => Array.from({ length }, () => String.fromCharCode(int(0x2fff) + 1)).join("");
  const randomValue = (depth = 0): unknown => {
    switch (int(depth > 2 ? 6 : 8)) {
      case 0: return null;
      case 1: return random() < 0.5;
      case 2: return pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), Number.MAX_VALUE, 1e308]);
      case 3: return randomString(int(40));
      case 4: return `0x${"ab".repeat(int(80))}`;
      case 5: return pick(["", "0x", "0xzz", "-1", "1e3", "NaN"]);
      case 6: return Array.from({ length: int(5) }, () => randomValue(depth + 1));
      default: return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(["avatar", "ring", "mtx", "mtx_sig", "logNodes", "x", "__proto__", "constructor"]), randomValue(depth + 1)]));
    }
  };
  const mangledFlushParams = (): unknown => {
    const params: Record<string, unknown> = structuredClone(template) as unknown as Record<string, unknown>;
    const mtx = params.mtx as Record<string, unknown>;
    switch (int(10)) {
      case 0: params[pick(["avatar", "ring", "mtx", "mtx_sig", "logNodes"])] = randomValue(); break;
      case 1: mtx[pick(["from", "to", "value", "gas", "nonce", "deadline", "data"])] = randomValue(); break;
      case 2: delete params[pick(["avatar", "ring", "mtx", "mtx_sig", "logNodes"])]; break;
      case 3: params.logNodes = [`0x${"00".repeat(int(200))}`]; break;
      case 4: params.logNodes = template.logNodes.map((hex) => hex.slice(0, 2 + 2 * int((hex.length - 2) / 2))); break;
      case 5: params.mtx_sig = `0x${"11".repeat(65)}`; break;
      case 6: params.extra = randomValue(); break;
      case 7: mtx.deadline = "281474976710656"; break;
      case 8: params.avatar = Wallet.createRandom().address; break;
      default: params.logNodes = Array.from({ length: 300 }, () => "0x00"); break;
    }
    return params;
  };
  let nextId = 1;
  const request = (method: string, params: unknown, notification = false): unknown => {
    const body: Record<string, unknown> = { jsonrpc: "2.0", method };
    if (params !== undefined) body.params = params;
    if (!notification) body.id = pick([nextId++, `id-${nextId++}`]);
    return body;
  };
  const goodRequest = () =>
    pick([
      () => request("GetFlushStatus", { id: knownId }),
      () => request("GetReplicaLog", { ring: template.ring, member: template.avatar, limit: 5, auth: readAuth }),
      () => request("GetFlushStatus", [{ id: knownId }]),
    ])();
  const badRequest = () =>
    pick([
      () => request(pick(["", "flushToRing", "FLUSHTORING", "eth_call", "constructor", "__proto__", "toString", randomString(10)]), randomValue()),
      () => request("FlushToRing", mangledFlushParams()),
      () => request("ReplicateRing", randomValue()),
      () => request("GetFlushStatus", randomValue()),
      () => request(pick(["FlushToRing", "nope"]), randomValue(), true),
      () => pick([null, 1, "x", [], { jsonrpc: "1.0", method: "FlushToRing", id: 7 }, { jsonrpc: "2.0", id: 8 }, { jsonrpc: "2.0", method: 5, id: 9 }, { jsonrpc: "2.0", method: "GetFlushStatus", params: "x", id: 10 }, { jsonrpc: "2.0", method: "GetFlushStatus", id: { x: 1 } }]),
    ])();

  const single = (kind: string, body: unknown): Case => {
    const owed = expectedAnswer(body);
    return owed.answered ? { kind, body: JSON.stringify(body), expectedIds: [owed.id] } : { kind, body: JSON.stringify(body), silent: true };
  };

  return (): Case => {
    const roll = int(100);
    if (roll < 12) {
      const text = JSON.stringify(request("FlushToRing", template));
      const broken = pick([text.slice(0, int(text.length)), `${text}}`, text.replace(/"/g, "'"), "{", "", "nul", "[1,2", randomString(50)]);
      return { kind: "bad JSON", body: broken, expectedIds: [null] };
    }
    if (roll < 14) {
      const bytes = new Uint8Array(new ArrayBuffer(int(200) + 1)).map(() => int(256));
      return { kind: "random bytes", body: bytes, expectedIds: [null] };
    }
    if (roll < 16) {
      const size = MAX_BODY_BYTES + 1 + int(MAX_BODY_BYTES);
      return { kind: "huge body", body: JSON.stringify({ jsonrpc: "2.0", method: "FlushToRing", id: 1, params: { pad: "x".repeat(size) } }), tooLarge: true };
    }
    if (roll < 20) return single("notification", request(pick(["FlushToRing", "GetFlushStatus", "nope"]), pick([{}, [], { id: knownId }]), true));
    if (roll < 35) return single("unknown method", request(pick(["nope", "eth_blockNumber", randomString(5)]), randomValue()));
    if (roll < 70) return single("wrong types", badRequest());
    if (roll < 95) {
      const items = Array.from({ length: 1 + int(12) }, () => (random() < 0.4 ? goodRequest() : badRequest()));
      const owed = items.map(expectedAnswer).filter((answer) => answer.answered);
      return { kind: "mixed batch", body: JSON.stringify(items), expectedIds: owed.map((answer) => answer.id), silent: owed.length === 0 };
    }
    return single("good", goodRequest());
  };
}

/** What JSON-RPC 2.0 owes for one request object: an answer (with the id, or null when it cannot be read), or nothing (a notification). */
function expectedAnswer(body: unknown): { answered: boolean; id: string | number | null } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { answered: true, id: null };
  const request = body as Record<string, unknown>;
  const hasId = "id" in request;
  const validId = hasId && (request.id === null || typeof request.id === "string" || (typeof request.id === "number" && Number.isFinite(request.id)));
  const id = validId ? (request.id as string | number | null) : null;
  const validEnvelope = request.jsonrpc === "2.0" && typeof request.method === "string" && (!("params" in request) || (request.params !== null && typeof request.params === "object")) && (!hasId || validId);
  if (!validEnvelope) return { answered: true, id };
  return hasId ? { answered: true, id } : { answered: false, id: null };
}

interface Answer {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

function checkAnswer(item: Case, status: number, text: string): string | null {
  if (item.tooLarge === true) {
    if (status !== 413) return `huge body answered with HTTP ${status}`;
  } else if (item.silent === true) {
    return status === 204 && text === "" ? null : `notifications answered with HTTP ${status} ${text.slice(0, 100)}`;
  } else if (status !== 200) return `HTTP ${status}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `answer is not JSON: ${text.slice(0, 100)}`;
  }
  const answers = (Array.isArray(parsed) ? parsed : [parsed]) as Answer[];
  for (const answer of answers) {
    if (answer.jsonrpc !== "2.0") return "answer without jsonrpc 2.0";
    if (!("id" in answer)) return "answer without id";
    if (("result" in answer) === ("error" in answer)) return "answer must have exactly one of result and error";
    if (answer.error !== undefined && (typeof answer.error.code !== "number" || !KNOWN_CODES.has(answer.error.code) || typeof answer.error.message !== "string")) {
      return `unknown error ${JSON.stringify(answer.error)}`;
    }
  }
  if (item.expectedIds !== undefined) {
    const isBatch = item.kind === "mixed batch";
    if (isBatch !== Array.isArray(parsed)) return `batch answered as ${Array.isArray(parsed) ? "array" : "object"}`;
    const ids = answers.map((answer) => answer.id as string | number | null).sort().join(",");
    const expected = [...item.expectedIds].sort().join(",");
    if (ids !== expected) return `answered ids ${ids}, expected ${expected}`;
  }
  return null;
}

describe("JSON-RPC under 5,000 random and malformed requests", function () {
  let world: RpcWorld;
  let node: ReplicaNodeUnderTest;

  before(async function () {
    world = await buildRpcWorld({ avatars: 2, replicaNodes: 1, register: true, maxBodyBytes: MAX_BODY_BYTES });
    node = world.replicaNodes[0] as ReplicaNodeUnderTest;
  });

  after(async function () {
    await world?.stop();
  });

  it("answers every request as JSON-RPC 2.0 prescribes, stays healthy and keeps its log intact", async function () {
    const avatar = world.avatars[0] as Wallet;
    const log = world.avatarLog(0);
    const flushOnce = async (text: string) => {
      await log.append({ text });
      const request = await buildFlushToRing({ signer: avatar, ring: world.clientRing, replicaKey: world.keys.replicaKey, forwarder: world.forwarder, logNodes: log.pending(), nonce: await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, avatar.address) });
      const result = await node.client.flushToRing(request);
      expect(result.state).to.equal("relayed");
      log.markFlushed(log.currentHead()?.cid as NonNullable<ReturnType<typeof log.currentHead>>["cid"]);
      return { request, result };
    };
    const first = await flushOnce("before the storm");
    const next = fuzzer(prng(SEED), first.request, first.result.id, replicaLogAuth(world.keys.replicaKey, { ring: world.clientRing, member: avatar.address }, 600));
    const cases = Array.from({ length: REQUESTS }, () => next());

    const failures: string[] = [];
    const kinds = new Map<string, number>();
    let flushes = 1;
    let cursor = 0;
    const worker = async () => {
      while (cursor < cases.length) {
        const index = cursor++;
        const item = cases[index] as Case;
        kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + 1);
        const response = await fetch(node.url, { method: "POST", headers: { "Content-Type": "application/json" }, body: item.body, signal: AbortSignal.timeout(30_000) });
        const failure = checkAnswer(item, response.status, await response.text());
        if (failure !== null) failures.push(`#${index} ${item.kind}: ${failure}`);
      }
    };
    const flusher = async () => {
      // Real flushes keep going while the storm runs.
      for (let i = 0; i < 10 && cursor < cases.length; i++) {
        await flushOnce(`during the storm ${i}`);
        flushes++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await Promise.all([...Array.from({ length: CONCURRENCY }, worker), flusher()]);

    expect(failures, failures.slice(0, 10).join("\n")).to.deep.equal([]);
    expect(cases).to.have.length(REQUESTS);
    for (const kind of ["bad JSON", "random bytes", "huge body", "notification", "unknown method", "wrong types", "mixed batch", "good"]) expect(kinds.get(kind) ?? 0, kind).to.be.greaterThan(0);

    // Healthy: liveness endpoint and a real flush after the storm.
    const health = (await (await fetch(new URL("/health", node.url))).json()) as { ok: boolean };
    expect(health.ok).to.equal(true);
    await flushOnce("after the storm");
    flushes++;

    // Intact: the node's own log is unbroken and holds exactly the accepted messages.
    const self = node.identity.address;
    const domain = ringDomain(world.chainId, world.replicaRingRing);
    const length = node.store.length(self);
    let previous: Awaited<ReturnType<typeof node.store.nodeAt>> = null;
    const statuses: string[] = [];
    for (let seq = 0; seq < length; seq++) {
      const current = await node.store.nodeAt(self, seq);
      expect(current, `seq ${seq}`).to.not.equal(null);
      expect(recoverLogNodeAuthor(current as NonNullable<typeof current>, domain)).to.equal(self);
      if (previous !== null) expect(current?.node.prev[0]?.equals(previous.cid)).to.equal(true);
      statuses.push(`${(current?.node.payload as { type: string }).type}:${(current?.node.payload as { status: string }).status}`);
      previous = current;
    }
    expect(statuses.filter((status) => status === "FlushToRing:received")).to.have.length(flushes);
    expect(statuses.filter((status) => status === "FlushToRing:relayed")).to.have.length(flushes);
    expect(statuses.filter((status) => status === "ReplicateRing:relayed")).to.have.length(1);
    expect(length).to.equal(2 * flushes + 1);
  });
});
