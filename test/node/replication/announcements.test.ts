/** Announcements: the nodes they carry inline are kept at once when they reach the held log; anything else is left to a fetch. */
import * as dagCbor from "@ipld/dag-cbor";
import { expect } from "chai";
import { describe, it } from "mocha";
import type { PeerId } from "@libp2p/interface";
import type { EncodedLogNode } from "../../../node/src/core/logNode.js";
import { silentLogger } from "../../../node/src/logging.js";
import { AnnouncementIntake } from "../../../node/src/replication/announcements.js";
import { ANNOUNCED_BLOCKS_MAX_BYTES, ANNOUNCED_MAX_BLOCKS, announcedBlocks, decodeAnnouncement, encodeAnnouncement, type HeadClaim } from "../../../node/src/replication/messages.js";
import { aPeer, domain, generateIdentity, ingestOver, logOf, MemoryLogs, signedNode } from "./fakes.js";

const ring = String(domain.verifyingContract);
const self = generateIdentity();
const author = generateIdentity();
const outsider = generateIdentity();
const claimOf = (node: EncodedLogNode): HeadClaim => ({ author: node.node.author, seq: node.node.seq, cid: node.cid });
const announcementOf = (nodes: readonly EncodedLogNode[]) => encodeAnnouncement(ring, claimOf(nodes.at(-1) as EncodedLogNode), nodes.map((n) => n.bytes));

function intakeOver(held: readonly EncodedLogNode[], members: PeerId[]) {
  const logs = new MemoryLogs();
  logs.hold(held);
  const { ingest, rejected } = ingestOver(logs, [self, author]);
  const claims: HeadClaim[] = [];
  const replicated: number[] = [];
  const intake = new AnnouncementIntake({
    ring,
    self: self.address,
    isMemberPeer: (peer) => members.some((m) => m.equals(peer)),
    authorPeer: () => undefined,
    logs,
    ingest,
    claim: (_peer, claim) => claims.push(claim),
    replicated: (head) => replicated.push(head.seq),
    logger: silentLogger(),
  });
  return { intake, logs, claims, replicated, rejected };
}

describe("announcements", function () {
  it("keep the nodes they carry when those reach the held log, and still note the claim", async function () {
    const log = await logOf(author, 6);
    const peer = await aPeer();
    const { intake, logs, claims, replicated } = intakeOver(log.slice(0, 3), [peer]);
    await intake.receive(announcementOf(log.slice(2, 6)), peer);
    expect(logs.length(author.address)).to.equal(6);
    expect(replicated).to.deep.equal([5]);
    expect(claims.map((c) => c.seq)).to.deep.equal([5]);
  });

  it("leave a head whose inline nodes do not reach the held log to a fetch", async function () {
    const log = await logOf(author, 6);
    const peer = await aPeer();
    const { intake, logs, claims } = intakeOver(log.slice(0, 2), [peer]);
    await intake.receive(announcementOf(log.slice(4, 6)), peer);
    expect(logs.length(author.address)).to.equal(2);
    expect(claims.map((c) => c.seq)).to.deep.equal([5]);
  });

  it("of one author arriving together are kept in order, each after the one before", async function () {
    const log = await logOf(author, 5);
    const peer = await aPeer();
    const { intake, logs, replicated } = intakeOver(log.slice(0, 1), [peer]);
    await Promise.all(log.slice(1).map((node) => intake.receive(announcementOf([node]), peer)));
    expect(logs.length(author.address)).to.equal(5);
    expect(replicated).to.deep.equal([1, 2, 3, 4]);
  });

  it("refuse inline nodes signed by someone else than their author, record it, and keep nothing", async function () {
    const log = await logOf(author, 2);
    const forged = await signedNode(author, 2, log[1], { forged: true }, outsider);
    const peer = await aPeer();
    const { intake, logs, rejected } = intakeOver(log, [peer]);
    await intake.receive(announcementOf([forged]), peer);
    expect(logs.length(author.address)).to.equal(2);
    expect(rejected.map((r) => r.rejection.error)).to.deep.equal(["WrongSignerError"]);
  });

  it("do not keep inline bytes that are not the claimed head", async function () {
    const log = await logOf(author, 3);
    const other = await signedNode(author, 2, log[1], { other: true });
    const peer = await aPeer();
    const { intake, logs, claims } = intakeOver(log.slice(0, 2), [peer]);
    await intake.receive(encodeAnnouncement(ring, claimOf(log[2] as EncodedLogNode), [other.bytes]), peer);
    expect(logs.length(author.address)).to.equal(2);
    expect(claims.map((c) => c.cid.toString())).to.deep.equal([(log[2] as EncodedLogNode).cid.toString()]);
  });

  it("from a peer that is not a member are ignored", async function () {
    const log = await logOf(author, 2);
    const { intake, logs, claims } = intakeOver(log.slice(0, 1), [await aPeer()]);
    await intake.receive(announcementOf(log.slice(1)), await aPeer());
    expect(logs.length(author.address)).to.equal(1);
    expect(claims).to.have.length(0);
  });

  it("that are not announcements of this ring are dropped", async function () {
    const log = await logOf(author, 2);
    const peer = await aPeer();
    const { intake, logs, claims } = intakeOver(log.slice(0, 1), [peer]);
    for (const data of [new Uint8Array(40).fill(9), dagCbor.encode({ ring, author: author.address, seq: 1, cid: log[1]?.cid, blocks: "no" }), encodeAnnouncement(outsider.address, claimOf(log[1] as EncodedLogNode), [log[1]?.bytes as Uint8Array])]) {
      await intake.receive(data, peer);
    }
    expect(logs.length(author.address)).to.equal(1);
    expect(claims).to.have.length(0);
  });

  it("carry the newest nodes that fit, and refuse more on decode", async function () {
    const big = new Uint8Array(ANNOUNCED_BLOCKS_MAX_BYTES / 2);
    const small = new Uint8Array(10);
    expect(announcedBlocks([big, big, small]).map((b) => b.length)).to.deep.equal([big.length, small.length]);
    expect(announcedBlocks(Array.from({ length: ANNOUNCED_MAX_BLOCKS + 5 }, () => small))).to.have.length(ANNOUNCED_MAX_BLOCKS);
    const log = await logOf(author, 1);
    const claim = claimOf(log[0] as EncodedLogNode);
    const oversized = dagCbor.encode({ ring, author: claim.author, seq: claim.seq, cid: claim.cid, blocks: [big, big, big] });
    expect(() => decodeAnnouncement(oversized)).to.throw(/over 65536 bytes/);
    expect(decodeAnnouncement(encodeAnnouncement(ring, claim)).blocks).to.deep.equal([]);
  });
});
