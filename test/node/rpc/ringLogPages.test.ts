/** GetReplicaLog's pages of a member node's own ring, from its log store: newest first, bounded, resumable. */
import { expect } from "chai";
import { describe, it } from "mocha";
import type { CID } from "multiformats/cid";
import type { EncodedLogNode } from "../../../node/src/core/logNode.js";
import type { LogPages } from "../../../node/src/rpc/methods/ringLogPages.js";
import { ringLogPages } from "../../../node/src/rpc/methods/ringLogPages.js";
import { domain, generateIdentity, logOf } from "../replication/fakes.js";

const ring = String(domain.verifyingContract);
const author = generateIdentity();
const other = generateIdentity();

function ownLogs(log: readonly EncodedLogNode[]) {
  const mine = (member: string) => (member === author.address ? log : []);
  return {
    head: (member: string) => {
      const last = mine(member).at(-1);
      return last === undefined ? null : { author: member, seq: last.node.seq, cid: last.cid };
    },
    nodeAt: (member: string, seq: number) => Promise.resolve(mine(member)[seq] ?? null),
    readNode: (cid: CID) => Promise.resolve(log.find((node) => node.cid.equals(cid)) ?? null),
    holds: (member: string, seq: number, cid: CID) => mine(member)[seq]?.cid.equals(cid) === true,
  };
}

const replicaPages: LogPages = { head: () => Promise.resolve(null), readPage: () => Promise.resolve({ nodes: [], next: { cid: undefined as unknown as CID, seq: -42 } }) };
const seqs = (page: { nodes: EncodedLogNode[] }) => page.nodes.map((node) => node.node.seq);

describe("GetReplicaLog pages of the node's own ring", function () {
  it("are the member's nodes newest first, `limit` at a time, each page naming where the next starts", async function () {
    const log = await logOf(author, 5);
    const pages = ringLogPages(replicaPages, { ring, logs: ownLogs(log) });
    expect((await pages.head(ring, author.address))?.seq).to.equal(4);
    const first = await pages.readPage(ring, author.address, { limit: 2, maxBytes: 1 << 20 });
    expect(seqs(first)).to.deep.equal([4, 3]);
    expect(first.next?.seq).to.equal(2);
    const second = await pages.readPage(ring, author.address, { limit: 10, maxBytes: 1 << 20, from: first.next?.cid, sinceSeq: 0 });
    expect(seqs(second)).to.deep.equal([2, 1]);
    expect(second.next).to.equal(null);
  });

  it("stop at maxBytes after at least one node", async function () {
    const log = await logOf(author, 3);
    const pages = ringLogPages(replicaPages, { ring, logs: ownLogs(log) });
    const page = await pages.readPage(ring, author.address, { limit: 10, maxBytes: 1 });
    expect(seqs(page)).to.deep.equal([2]);
    expect(page.next?.seq).to.equal(1);
  });

  it("are empty from a CID that is no node of the member's log", async function () {
    const log = await logOf(author, 3);
    const pages = ringLogPages(replicaPages, { ring, logs: ownLogs(log) });
    const page = await pages.readPage(ring, other.address, { limit: 10, maxBytes: 1 << 20, from: (log[1] as EncodedLogNode).cid });
    expect(page).to.deep.equal({ nodes: [], next: null });
  });

  it("leave every other ring to the replica store", async function () {
    const pages = ringLogPages(replicaPages, { ring, logs: ownLogs(await logOf(author, 1)) });
    expect((await pages.readPage(other.address, author.address, { limit: 1, maxBytes: 1 })).next?.seq).to.equal(-42);
    expect(await pages.head(other.address, author.address)).to.equal(null);
  });
});
