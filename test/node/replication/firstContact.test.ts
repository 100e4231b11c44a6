/**
 * First contact with an author's log (nothing of it held) through FetchStrategy, with fakes: a
 * peer whose log-sync answers are scripted over an in-memory stream pair, a bitswap that serves
 * the peer's blocks, a local blockstore in memory and ingest over MemoryLogs. The head the chain
 * holds for the author is the trust anchor from the first frame on.
 */
import { lpStream, streamPair } from "@libp2p/utils";
import { expect } from "chai";
import { describe, it } from "mocha";
import type { CID } from "multiformats/cid";
import type { EncodedLogNode } from "../../../node/src/core/logNode.js";
import { silentLogger } from "../../../node/src/logging.js";
import { FetchStrategy } from "../../../node/src/replication/fetchStrategy.js";
import { decodeLogSyncRequest, encodeBlockFrame, encodeLogSyncHeader, type LogSyncRequest } from "../../../node/src/replication/messages.js";
import { aPeer, blocksOf, domain, generateIdentity, ingestOver, logOf, MemoryLogs, signedNode } from "./fakes.js";

/** A peer holding `log`: log-sync answers `answer(request)` (default: its log from `from` up to `to`, whatever `to` is). */
function peerHolding(log: readonly EncodedLogNode[], answer?: (request: LogSyncRequest) => EncodedLogNode[]) {
  const requests: LogSyncRequest[] = [];
  const dialProtocol = async () => {
    const [outbound, inbound] = await streamPair();
    void (async () => {
      const lp = lpStream(inbound, { maxDataLength: 4 * 1024 * 1024 });
      try {
        const request = decodeLogSyncRequest((await lp.read()).subarray());
        requests.push(request);
        const upTo = log.findIndex((node) => node.cid.equals(request.to));
        const nodes = answer?.(request) ?? log.slice(request.from, upTo === -1 ? log.length : upTo + 1);
        await lp.write(encodeLogSyncHeader({ ok: true, count: nodes.length }));
        if (nodes.length > 0) await lp.write(encodeBlockFrame(blocksOf(nodes)));
        await inbound.close();
      } catch {
        inbound.abort(new Error("requester gone"));
      }
    })();
    return outbound;
  };
  return { dialProtocol, requests };
}

/** A FetchStrategy of a node that holds nothing of the author, whose chain view names `chainHead`. */
function firstContact(logs: MemoryLogs, ingest: ReturnType<typeof ingestOver>["ingest"], peer: ReturnType<typeof peerHolding>, network: readonly EncodedLogNode[], chainHead: CID, settings: { firstContactMemoryBytes?: number } = {}) {
  const served = new Map(network.map((node) => [node.cid.toString(), node.bytes]));
  const local = new Map<string, Uint8Array>();
  const puts: string[] = [];
  const blockstore = {
    // eslint-disable-next-line @typescript-eslint/require-await
    get: async function* (cid: CID) {
      const bytes = local.get(cid.toString()) ?? served.get(cid.toString());
      if (bytes === undefined) throw new Error("not served");
      local.set(cid.toString(), bytes); // bitswap keeps what it fetched
      yield bytes;
    },
    has: (cid: CID) => Promise.resolve(local.has(cid.toString())),
    put: (cid: CID, bytes: Uint8Array) => {
      puts.push(cid.toString());
      local.set(cid.toString(), bytes);
      return Promise.resolve();
    },
    delete: (cid: CID) => Promise.resolve(void local.delete(cid.toString())),
    readBytes: (cid: CID) => Promise.resolve(local.get(cid.toString()) ?? null),
  };
  const holds = (author: string, seq: number, cid: CID) => logs.cidAt(author, seq)?.equals(cid) === true;
  const fetchStrategy = new FetchStrategy(
    {
      helia: { blockstore } as never,
      streams: { dialProtocol: peer.dialProtocol },
      logs: { length: (author: string) => logs.length(author), holds, blockstore } as never,
      ingest,
      holdsClaim: (claim) => Promise.resolve(holds(claim.author, claim.seq, claim.cid)),
      chainHead: () => chainHead,
      logger: silentLogger(),
    },
    { ring: String(domain.verifyingContract), fetchTimeoutMs: 500, bitswapGapLimit: 16, signal: new AbortController().signal, ...settings },
  );
  return { fetchStrategy, local, puts };
}

describe("first contact with an author's log verifies against its on-chain head", function () {
  this.timeout(30_000);

  it("first contact: a log that does not reach the on-chain head is refused before it is stored", async function () {
    const author = generateIdentity();
    const peerLog = await logOf(author, 3, "peer's branch");
    const onChain = await signedNode(author, 1, peerLog[0], { branch: "the chain's" });
    const logs = new MemoryLogs();
    const { ingest } = ingestOver(logs, [author]);
    const peer = peerHolding(peerLog, () => peerLog);
    const { fetchStrategy, local } = firstContact(logs, ingest, peer, peerLog, onChain.cid);

    const head = peerLog[2] as EncodedLogNode;
    const error = await fetchStrategy.fetch(author.address, { author: author.address, seq: 2, cid: head.cid }, await aPeer()).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(Error);
    expect(logs.length(author.address)).to.equal(0);
    expect(peerLog.filter((node) => local.has(node.cid.toString()))).to.deep.equal([]);
  });

  it("first contact fetches the log up to the on-chain head before the claim beyond it", async function () {
    const author = generateIdentity();
    const log = await logOf(author, 10);
    const logs = new MemoryLogs();
    const { ingest } = ingestOver(logs, [author]);
    const peer = peerHolding(log);
    const onChain = log[5] as EncodedLogNode;
    const { fetchStrategy } = firstContact(logs, ingest, peer, log, onChain.cid);

    const kept = await fetchStrategy.fetch(author.address, { author: author.address, seq: 9, cid: (log[9] as EncodedLogNode).cid }, await aPeer());

    expect(kept).to.equal(10);
    expect(peer.requests[0]?.to.equals(onChain.cid)).to.equal(true);
    expect(peer.requests[0]?.from).to.equal(0);
  });

  it("first contact past its memory bound quarantines the range and deletes it when it misses the on-chain head", async function () {
    const author = generateIdentity();
    const peerLog = await logOf(author, 6, "peer's branch");
    const onChain = await signedNode(author, 3, peerLog[2], { branch: "the chain's" });
    const logs = new MemoryLogs();
    const { ingest } = ingestOver(logs, [author]);
    const peer = peerHolding(peerLog, () => peerLog);
    const { fetchStrategy, local, puts } = firstContact(logs, ingest, peer, [], onChain.cid, { firstContactMemoryBytes: 1 });

    const error = await fetchStrategy.fetch(author.address, { author: author.address, seq: 5, cid: (peerLog[5] as EncodedLogNode).cid }, await aPeer()).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(Error);
    expect(puts).to.have.length(6);
    expect(logs.length(author.address)).to.equal(0);
    expect(local.size).to.equal(0);
  });
});
