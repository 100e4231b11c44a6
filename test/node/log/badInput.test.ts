/**
 * Every bad batch is refused with its own error and nothing from it is kept, while the honest logs
 * stay as they were and keep replicating. The victim is a real `ring-node` process on a real chain;
 * the bad input comes from a ring member the test controls (a real Helia/libp2p node in the test
 * process) over the ring's own protocols: head exchange, bitswap and log-sync.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { expect } from "chai";
import { Wallet } from "ethers";
import type { CID } from "multiformats/cid";
import { cidOfBytes } from "../../../node/src/core/cid.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import type { EncodedLogNode } from "../../../node/src/core/logNode.js";
import { identityFromPrivateKey, type RingIdentity } from "../../../node/src/identity/identity.js";
import type { Rejection } from "../../../node/src/replication/replicator.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import type { RingNodeProcess } from "../../../scripts/devnet/ringNodeProcess.js";
import { startTestRing, type TestRing } from "../../../scripts/devnet/ringOfNodes.js";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { ScriptedPeer } from "../helpers/scriptedPeer.js";

interface LogSlice {
  length: number;
  nodes: Array<{ seq: number; cid: string }>;
}

describe("ring-node: bad input is refused and the honest logs are unaffected", function () {
  this.timeout(300_000);
  let ring: TestRing;
  let victim: RingNodeProcess;
  let honest: RingNodeProcess;
  let adversary: ScriptedPeer;
  let outsider: ScriptedPeer | undefined;
  const adversaryKey: RingIdentity = identityFromPrivateKey(Wallet.createRandom().privateKey);
  const nonMember: RingIdentity = identityFromPrivateKey(Wallet.createRandom().privateKey);
  /** The adversary's honest prefix, seq 0..4, which the victim holds. */
  const prefix: EncodedLogNode[] = [];
  const errorsSeen: string[] = [];

  const held = async (author: string) => (await victim.control.log<LogSlice>(author, 0, 1000));
  const rejections = () => victim.control.rejections<Rejection[]>();

  /** Claims `claim` from the adversary and waits for the victim to refuse it; returns the refusal. */
  async function refusedAfter(announce: () => Promise<void>, expected: string): Promise<Rejection> {
    const before = (await rejections()).length;
    await announce();
    const rejection = await waitFor(`a ${expected}`, async () => (await rejections()).slice(before).find((r) => r.error === expected), 30_000, 100);
    errorsSeen.push(rejection.error);
    return rejection;
  }

  /** None of `cids` is left in the victim's blockstore. */
  async function expectNotKept(cids: CID[]): Promise<void> {
    for (const cid of cids) {
      expect(await victim.control.holdsBlock(cid.toString()), `block ${cid.toString()} of a refused batch was kept`).to.equal(false);
    }
  }

  async function expectAdversaryLogUnchanged(): Promise<void> {
    const log = await held(adversary.address);
    expect(log.length).to.equal(prefix.length);
    expect(log.nodes.map((n) => n.cid)).to.deep.equal(prefix.map((n) => n.cid.toString()));
  }

  async function chain(from: EncodedLogNode, count: number, tag: string): Promise<EncodedLogNode[]> {
    const nodes: EncodedLogNode[] = [];
    let parent = from;
    for (let i = 0; i < count; i++) {
      parent = await adversary.sign({ seq: parent.node.seq + 1, prev: [parent.cid], payload: { tag, i } });
      nodes.push(parent);
    }
    return nodes;
  }

  const lastOf = (nodes: EncodedLogNode[]) => nodes[nodes.length - 1] as EncodedLogNode;
  const claimOf = (node: EncodedLogNode, author = node.node.author) => ({ author, seq: node.node.seq, cid: node.cid });

  before(async () => {
    ring = await startTestRing(2, "bad-input", { extraMembers: [adversaryKey.address] });
    victim = await ring.start(0, { args: ["--fetch-timeout-ms", "3000", "--head-exchange-ms", "2000"] });
    honest = await ring.start(1, { peers: [victim.multiaddr] });
    adversary = await ScriptedPeer.start(adversaryKey, ringDomain(31337n, ring.ring), await ring.dirs.make("adversary"));
    let parent: EncodedLogNode | undefined;
    for (let seq = 0; seq < 5; seq++) {
      parent = await adversary.sign({ seq, prev: parent === undefined ? [] : [parent.cid], payload: { honest: seq } });
      prefix.push(parent);
    }
    await adversary.serve(...prefix);
    adversary.claims = [claimOf(lastOf(prefix))];
    await adversary.announceTo(victim.multiaddr);
    await waitFor("the victim to hold the adversary's honest prefix", async () => (await held(adversary.address)).length === 5, 30_000);
    for (let i = 0; i < 10; i++) await honest.control.append({ honest: i });
    await waitFor("the victim to hold the honest member's log", async () => (await held(honest.address)).length === 10, 30_000);
  });

  after(async () => {
    await outsider?.stop();
    await adversary?.stop();
    await ring?.cleanup();
  });

  afterEach(async () => {
    if (adversary !== undefined && prefix.length > 0) await expectAdversaryLogUnchanged();
  });

  it("tampered bytes: TamperedBlockError, and the valid nodes of the same batch are not kept either", async () => {
    const nodes = await chain(lastOf(prefix), 20, "tampered");
    const other = await adversary.sign({ seq: 24, prev: [(nodes[18] as EncodedLogNode).cid], payload: { other: true } });
    const served = [...nodes.slice(0, 19), { cid: lastOf(nodes).cid, bytes: other.bytes }];
    adversary.logSync = (request) => (request.author === adversary.address ? served : null);
    adversary.claims = [claimOf(lastOf(nodes))];
    const rejection = await refusedAfter(() => adversary.announceTo(victim.multiaddr), "TamperedBlockError");
    expect(rejection.cid).to.equal(lastOf(nodes).cid.toString());
    await expectNotKept(nodes.map((n) => n.cid));
  });

  it("a node of one member signed by another: WrongSignerError", async () => {
    const honestLog = await held(honest.address);
    const head = honestLog.nodes[honestLog.length - 1];
    const { CID } = await import("multiformats/cid");
    const forged = await adversary.sign({ author: honest.address, seq: honestLog.length, prev: [CID.parse(head?.cid ?? "")] });
    await adversary.serve(forged);
    adversary.claims = [claimOf(forged, honest.address)];
    await refusedAfter(() => adversary.announceTo(victim.multiaddr), "WrongSignerError");
    await expectNotKept([forged.cid]);
    expect((await held(honest.address)).nodes.map((n) => n.cid)).to.deep.equal(honestLog.nodes.map((n) => n.cid));
  });

  it("an unsigned node: UnsignedLogNodeError", async () => {
    const head = lastOf(prefix);
    const bytes = dagCbor.encode({ v: 1, ring: ring.ring, author: adversary.address, seq: 5, prev: [head.cid], ts: 1, payload: { unsigned: true } });
    const cid = await cidOfBytes(bytes);
    await adversary.serve({ cid, bytes });
    adversary.claims = [{ author: adversary.address, seq: 5, cid }];
    await refusedAfter(() => adversary.announceTo(victim.multiaddr), "UnsignedLogNodeError");
    await expectNotKept([cid]);
  });

  it("a node that skips a seq: SkippedSeqError", async () => {
    const skipping = await adversary.sign({ seq: 6, prev: [lastOf(prefix).cid], payload: { skipped: 5 } });
    await adversary.serve(skipping);
    adversary.claims = [claimOf(skipping)];
    await refusedAfter(() => adversary.announceTo(victim.multiaddr), "SkippedSeqError");
    await expectNotKept([skipping.cid]);
  });

  it("a head whose ancestor nobody serves: 'log replication incomplete', after the fetch timeout", async () => {
    const nodes = await chain(lastOf(prefix), 3, "missing");
    await adversary.serve(nodes[1] as EncodedLogNode, nodes[2] as EncodedLogNode); // seq 5 is never served
    adversary.logSync = () => null;
    adversary.claims = [claimOf(lastOf(nodes))];
    const rejection = await refusedAfter(() => adversary.announceTo(victim.multiaddr), "LogReplicationIncompleteError");
    expect(rejection.message).to.match(/^log replication incomplete/);
    await expectNotKept(nodes.map((n) => n.cid));
  });

  it("a node by a non-member author: NonMemberAuthorError", async () => {
    const byOutsider = await adversary.sign({ author: nonMember.address, seq: 5, prev: [lastOf(prefix).cid] }, nonMember);
    await adversary.serve(byOutsider);
    adversary.claims = [{ author: adversary.address, seq: 5, cid: byOutsider.cid }];
    await refusedAfter(() => adversary.announceTo(victim.multiaddr), "NonMemberAuthorError");
    await expectNotKept([byOutsider.cid]);
  });

  it("a non-member's announcements are ignored (no fetch, no refusal, nothing kept)", async () => {
    outsider = await ScriptedPeer.start(nonMember, ringDomain(31337n, ring.ring), await ring.dirs.make("outsider"));
    const own = await outsider.sign({ seq: 0, prev: [] });
    const aboutMember = await chain(lastOf(prefix), 1, "via-outsider");
    await outsider.serve(own, ...aboutMember);
    outsider.claims = [claimOf(own), claimOf(lastOf(aboutMember))];
    const before = (await rejections()).length;
    await outsider.announceTo(victim.multiaddr).catch(() => undefined); // the victim refuses the stream
    const pubsub = outsider.parts.helia.libp2p.services.pubsub;
    const { encodeAnnouncement } = await import("../../../node/src/replication/messages.js");
    const { headsTopic } = await import("../../../node/src/replication/protocols.js");
    const topic = headsTopic(31337n, ring.ring);
    pubsub.subscribe(topic);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await pubsub.publish(topic, encodeAnnouncement(ring.ring, claimOf(lastOf(aboutMember)))).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await rejections()).length).to.equal(before);
    expect((await held(nonMember.address)).length).to.equal(0);
    await expectNotKept([own.cid, lastOf(aboutMember).cid]);
  });

  it("a member's garbage and forged announcements (by CID, or with the forged node inline) on the unsigned heads topic are dropped: nothing is kept from them", async () => {
    // Gossipsub runs StrictNoSign (createRingHelia.ts): what makes that sound is that every claim is checked on fetch.
    const pubsub = adversary.parts.helia.libp2p.services.pubsub;
    const { encodeAnnouncement } = await import("../../../node/src/replication/messages.js");
    const { headsTopic } = await import("../../../node/src/replication/protocols.js");
    const topic = headsTopic(31337n, ring.ring);
    pubsub.subscribe(topic);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const honestBefore = (await held(honest.address)).nodes.map((n) => n.cid);
    const forged = await adversary.sign({ author: honest.address, seq: honestBefore.length, prev: [] });
    await adversary.serve(forged);
    for (const data of [new Uint8Array(300).fill(7), dagCbor.encode({ ring: ring.ring, author: 42 }), encodeAnnouncement(ring.ring, claimOf(forged, honest.address)), encodeAnnouncement(ring.ring, claimOf(forged, honest.address), [forged.bytes])]) {
      await pubsub.publish(topic, data).catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await expectNotKept([forged.cid]);
    expect((await held(honest.address)).nodes.map((n) => n.cid)).to.deep.equal(honestBefore);
  });

  it("a forked log: ForkDetectedError, the signed pair kept as evidence that Ring.proveFork accepts", async () => {
    const fork = await adversary.sign({ seq: 4, prev: [(prefix[3] as EncodedLogNode).cid], payload: { fork: true } });
    adversary.logSync = (request) => (request.author === adversary.address && request.to.equals(fork.cid) ? [fork] : null);
    adversary.claims = [claimOf(fork)];
    await refusedAfter(() => adversary.announceTo(victim.multiaddr), "ForkDetectedError");
    await expectNotKept([fork.cid]);
    const forks = await victim.control.forks<Array<{ author: string; seq: number; a: { cid: string; digest: string; sig: string }; b: { cid: string; digest: string; sig: string } }>>();
    expect(forks).to.have.length(1);
    const evidence = forks[0];
    expect(evidence?.author).to.equal(adversary.address);
    expect(evidence?.seq).to.equal(4);
    expect(evidence?.a.cid).to.equal(lastOf(prefix).cid.toString());
    expect(evidence?.b.cid).to.equal(fork.cid.toString());
    // Anyone can submit the pair (the members' round logic may already have): the contract checks
    // both signatures against the member and ejects it.
    const contract = ringAt(ring.ring, ring.chain.account(1));
    const [a, b] = [evidence?.a, evidence?.b];
    try {
      await (await contract.proveFork(adversary.address, 4, a?.digest ?? "", a?.sig ?? "", b?.digest ?? "", b?.sig ?? "")).wait();
    } catch (error) {
      // Only acceptable if a member got there first (the forker is then no longer a member).
      expect(await contract.isMember(adversary.address), (error as Error).message).to.equal(false);
    }
    const proofs = await contract.queryFilter(contract.filters.ForkProven(adversary.address));
    expect(proofs).to.have.length(1);
    expect([proofs[0]?.args.digestA, proofs[0]?.args.digestB].sort()).to.deep.equal([a?.digest, b?.digest].sort());
    expect(await contract.isMember(adversary.address)).to.equal(false);
  });

  it("each failure had its own error, and the honest member's log kept replicating throughout", async () => {
    expect(new Set(errorsSeen).size).to.equal(errorsSeen.length);
    expect(errorsSeen).to.have.length(7);
    for (let i = 10; i < 15; i++) await honest.control.append({ honest: i });
    await waitFor("the honest member's new appends", async () => (await held(honest.address)).length === 15, 30_000);
    const mine = await honest.control.log<LogSlice>(honest.address, 0, 1000);
    expect((await held(honest.address)).nodes.map((n) => n.cid)).to.deep.equal(mine.nodes.map((n) => n.cid));
  });
});
