/**
 * Replication's one ingest path (verify -> keep -> fork evidence -> refusal log) and the rounds
 * push that goes through it, over an in-memory log store: no processes, no network.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import type { PeerId } from "@libp2p/interface";
import type { CID } from "multiformats/cid";
import { silentLogger } from "../../../node/src/logging.js";
import { LogPush } from "../../../node/src/rounds/logPush.js";
import { aPeer, blocksOf, generateIdentity, ingestOver, logOf, MemoryLogs, signedNode } from "./fakes.js";

const writer = generateIdentity();
const other = generateIdentity();
const members = [writer, other];

/** A LogPush whose replicator ingests into `logs` and remembers what it was asked to want. */
function pushOver(logs: MemoryLogs) {
  const parts = ingestOver(logs, members);
  const wanted: Array<{ author: string; cid: CID; source: string | undefined }> = [];
  const replicator = {
    ingest: (author: string, blocks: Parameters<typeof parts.ingest.ingest>[1], source: Parameters<typeof parts.ingest.ingest>[2], peer: PeerId | null) => parts.ingest.ingest(author, blocks, source, peer),
    want: (author: string, cid: CID, source?: string) => void wanted.push({ author, cid, source }),
  };
  const push = new LogPush({ streams: {} as never, ring: "0x", replicator, logger: silentLogger() });
  return { ...parts, push, wanted };
}

describe("replication: ingest", function () {
  it("keeps a valid pushed batch that extends the held log and records no refusal", async () => {
    const logs = new MemoryLogs();
    const log = await logOf(writer, 5);
    logs.hold(log.slice(0, 2));
    const { push, refusals, wanted } = pushOver(logs);
    expect(await push.receive(writer.address, blocksOf(log.slice(2)), await aPeer())).to.equal(3);
    expect(logs.length(writer.address)).to.equal(5);
    expect(refusals.list()).to.deep.equal([]);
    expect(wanted).to.deep.equal([]);
  });

  it("keeps nothing new, and refuses nothing, for a batch it already holds", async () => {
    const logs = new MemoryLogs();
    const log = await logOf(writer, 3);
    logs.hold(log);
    const { ingest, refusals } = ingestOver(logs, members);
    expect(await ingest.ingest(writer.address, blocksOf(log), "push", null)).to.equal(0);
    expect(refusals.list()).to.deep.equal([]);
  });

  it("records a pushed node signed by another key as a refusal with source 'push', the peer and the node's CID", async () => {
    const logs = new MemoryLogs();
    const log = await logOf(writer, 2);
    logs.hold(log);
    const forged = await signedNode(writer, 2, log[1], { forged: true }, other);
    const peer = await aPeer();
    const { push, refusals, rejected, wanted } = pushOver(logs);
    expect(await push.receive(writer.address, blocksOf([forged]), peer)).to.equal(0);
    expect(logs.length(writer.address)).to.equal(2);
    const [rejection] = refusals.list();
    expect(refusals.list()).to.have.length(1);
    expect(rejection).to.include({ author: writer.address, peer: peer.toString(), error: "WrongSignerError", cid: forged.cid.toString(), source: "push" });
    expect(rejected.map((r) => r.rejection)).to.deep.equal([rejection]);
    expect(wanted, "a refused head is not fetched again").to.deep.equal([]);
  });

  it("rejects with the verification error when the batch is refused", async () => {
    const logs = new MemoryLogs();
    const outsider = generateIdentity();
    const { ingest } = ingestOver(logs, members);
    const error = await ingest.ingest(outsider.address, blocksOf(await logOf(outsider, 1)), "log-sync", null).catch((e: unknown) => e);
    expect((error as Error).name).to.equal("NonMemberAuthorError");
  });

  it("treats a pushed batch that does not connect yet as 'want the head', not as a refusal", async () => {
    const logs = new MemoryLogs();
    const log = await logOf(writer, 5);
    logs.hold(log.slice(0, 2));
    const { push, refusals, rejected, wanted } = pushOver(logs);
    expect(await push.receive(writer.address, blocksOf(log.slice(3)), await aPeer())).to.equal(0);
    expect(logs.length(writer.address)).to.equal(2);
    expect(refusals.list()).to.deep.equal([]);
    expect(rejected).to.deep.equal([]);
    expect(wanted).to.deep.equal([{ author: writer.address, cid: log[4]?.cid, source: "exchange" }]);
  });

  it("records fork evidence once, and reports it with every refusal of the fork", async () => {
    const logs = new MemoryLogs();
    const log = await logOf(writer, 3);
    logs.hold(log);
    const conflicting = await signedNode(writer, 1, log[0], { conflicting: true });
    const { push, refusals, rejected } = pushOver(logs);
    for (let i = 0; i < 2; i++) expect(await push.receive(writer.address, blocksOf([conflicting]), await aPeer())).to.equal(0);
    expect(logs.forksRecorded).to.have.length(1);
    expect(logs.forksRecorded[0]).to.include({ author: writer.address, seq: 1 });
    expect(logs.forksRecorded[0]?.a.cid).to.equal(log[1]?.cid.toString());
    expect(logs.forksRecorded[0]?.b.cid).to.equal(conflicting.cid.toString());
    expect(refusals.list().map((r) => r.error)).to.deep.equal(["ForkDetectedError", "ForkDetectedError"]);
    expect(rejected.map((r) => r.evidence?.seq)).to.deep.equal([1, 1]);
    expect(logs.length(writer.address), "the held log is unchanged").to.equal(3);
  });

  it("discards a refused batch before its refusal is recorded", async () => {
    const logs = new MemoryLogs();
    const forged = await signedNode(writer, 0, undefined, { forged: true }, other);
    const { ingest, refusals } = ingestOver(logs, members);
    const seen: number[] = [];
    await ingest.ingest(writer.address, blocksOf([forged]), "bitswap", null, { discard: () => Promise.resolve(void seen.push(refusals.list().length)) }).catch(() => undefined);
    expect(seen).to.deep.equal([0]);
    expect(refusals.list()).to.have.length(1);
  });
});
