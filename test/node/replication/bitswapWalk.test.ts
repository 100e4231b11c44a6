/**
 * The bitswap walk of FetchStrategy with fakes: a blockstore that serves scripted blocks (and
 * counts what was fetched and deleted), no log-sync (every dial fails), ingest over MemoryLogs.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import type { CID } from "multiformats/cid";
import type { EncodedLogNode } from "../../../node/src/core/logNode.js";
import { silentLogger } from "../../../node/src/logging.js";
import { FetchStrategy } from "../../../node/src/replication/fetchStrategy.js";
import { aPeer, generateIdentity, ingestOver, logOf, MemoryLogs, signedNode } from "./fakes.js";

/** A FetchStrategy over scripted blocks; returns it with what it fetched and deleted. */
function strategy(logs: MemoryLogs, ingest: ReturnType<typeof ingestOver>["ingest"], served: readonly EncodedLogNode[], settings: { bitswapWalkMaxBytes?: number } = {}) {
  const byCid = new Map(served.map((node) => [node.cid.toString(), node.bytes]));
  const fetched: string[] = [];
  const deleted: string[] = [];
  const blockstore = {
    // eslint-disable-next-line @typescript-eslint/require-await
    get: async function* (cid: CID) {
      fetched.push(cid.toString());
      const bytes = byCid.get(cid.toString());
      if (bytes === undefined) throw new Error("not served");
      yield bytes;
    },
    delete: (cid: CID) => Promise.resolve(void deleted.push(cid.toString())),
  };
  const holds = (author: string, seq: number, cid: CID) => logs.cidAt(author, seq)?.equals(cid) === true;
  const fetchStrategy = new FetchStrategy(
    {
      helia: { blockstore } as never,
      streams: { dialProtocol: () => Promise.reject(new Error("no log-sync here")) },
      logs: { length: (author: string) => logs.length(author), holds, blockstore } as never,
      ingest,
      holdsClaim: (claim) => Promise.resolve(holds(claim.author, claim.seq, claim.cid)),
      logger: silentLogger(),
    },
    { ring: "ring", fetchTimeoutMs: 1_000, bitswapGapLimit: 16, signal: new AbortController().signal, ...settings },
  );
  return { fetchStrategy, fetched, deleted };
}

describe("the bitswap walk checks each block as it arrives", function () {
  this.timeout(60_000);

  it("stops at the first block that fails verification, and keeps none it fetched", async function () {
    const author = generateIdentity();
    const forger = generateIdentity();
    const prefix = await logOf(author, 5);
    const logs = new MemoryLogs();
    logs.hold(prefix);
    const { ingest, rejected } = ingestOver(logs, [author, forger]);
    // 40 nodes "of" the author after its held prefix, every one signed by someone else.
    const forged: EncodedLogNode[] = [];
    for (let seq = 5; seq < 45; seq++) forged.push(await signedNode(author, seq, forged.at(-1) ?? prefix.at(-1), { forged: seq }, forger));
    const head = forged.at(-1) as EncodedLogNode;
    const { fetchStrategy, fetched, deleted } = strategy(logs, ingest, forged);

    const error = await fetchStrategy.fetch(author.address, { author: author.address, seq: 44, cid: head.cid }, await aPeer()).catch((caught: unknown) => caught);

    expect((error as Error).name).to.equal("WrongSignerError");
    expect(fetched).to.deep.equal([head.cid.toString()]);
    expect(deleted).to.include(head.cid.toString());
    expect(rejected.map((r) => r.rejection.error)).to.deep.equal(["WrongSignerError"]);
    expect(logs.length(author.address)).to.equal(5);
  });

  it("refuses a claimed head whose node carries another seq than the claim", async function () {
    const author = generateIdentity();
    const log = await logOf(author, 8);
    const logs = new MemoryLogs();
    logs.hold(log.slice(0, 5));
    const { ingest } = ingestOver(logs, [author]);
    const { fetchStrategy, fetched } = strategy(logs, ingest, log);

    const error = await fetchStrategy.fetch(author.address, { author: author.address, seq: 240, cid: (log[7] as EncodedLogNode).cid }, await aPeer()).catch((caught: unknown) => caught);

    expect((error as Error).name).to.equal("SkippedSeqError");
    expect(fetched).to.have.length(1);
    expect(logs.length(author.address)).to.equal(5);
  });

  it("ends a walk past its byte cap as incomplete, deleting what it fetched", async function () {
    const author = generateIdentity();
    const log: EncodedLogNode[] = [];
    for (let seq = 0; seq < 30; seq++) log.push(await signedNode(author, seq, log.at(-1), { seq, padding: new Uint8Array(64 * 1024) }));
    const logs = new MemoryLogs();
    logs.hold(log.slice(0, 5));
    const { ingest } = ingestOver(logs, [author]);
    const { fetchStrategy, fetched, deleted } = strategy(logs, ingest, log, { bitswapWalkMaxBytes: 256 * 1024 });

    const error = await fetchStrategy.fetch(author.address, { author: author.address, seq: 29, cid: (log[29] as EncodedLogNode).cid }, await aPeer()).catch((caught: unknown) => caught);

    expect((error as Error).name).to.equal("LogReplicationIncompleteError");
    expect(fetched.length).to.be.at.most(5);
    expect(deleted).to.include.members(fetched);
    expect(logs.length(author.address)).to.equal(5);
  });
});
