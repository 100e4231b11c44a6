/** The claim queue: which claimed heads are fetched, in what order, and which never again. */
import { expect } from "chai";
import { describe, it } from "mocha";
import type { PeerId } from "@libp2p/interface";
import { CID } from "multiformats/cid";
import { ClaimQueue, refusalKey, UNKNOWN_SEQ, type ClaimSource, type PendingClaim } from "../../../node/src/replication/claimQueue.js";
import { aPeer, generateIdentity, logOf } from "./fakes.js";

const self = generateIdentity();
const author = generateIdentity();
const outsider = generateIdentity();

/** A queue over a held log `heldUpTo` (seq), serving by "fetching" up to the claim (or just noting it). */
function queueOver(options: { fetches?: boolean; members?: string[] } = {}) {
  let heldUpTo = -1;
  const cids: CID[] = [];
  const served: PendingClaim[] = [];
  let release: (() => void) | undefined;
  const controller = new AbortController();
  const queue = new ClaimQueue({
    self: self.address,
    isMember: (a) => (options.members ?? [self.address, author.address]).includes(a),
    holdsClaim: (claim) => Promise.resolve(claim.seq <= heldUpTo && cids[claim.seq]?.equals(claim.cid) === true),
    holdsAt: (_a, seq, cid) => seq <= heldUpTo && cids[seq]?.equals(cid) === true,
    serve: async (pending) => {
      served.push(pending);
      if (release !== undefined) await new Promise<void>((resolve) => (release = resolve));
      if (options.fetches === true) heldUpTo = Math.max(heldUpTo, pending.claim.seq);
    },
    signal: controller.signal,
  });
  return {
    queue,
    served,
    hold: (seq: number) => (heldUpTo = seq),
    setCids: (list: CID[]) => cids.push(...list),
    /** Makes `serve` wait until `unblock` is called. */
    block: () => (release = () => undefined),
    unblock: () => release?.(),
    controller,
  };
}

async function claimsOf(count: number) {
  const log = await logOf(author, count);
  return log.map((node) => ({ author: author.address, seq: node.node.seq, cid: node.cid }));
}

const pending = (claim: PendingClaim["claim"], peer: PeerId | null, source: ClaimSource = "pubsub"): PendingClaim => ({ claim, peer, source });

describe("replication: claim queue", function () {
  it("serves an author's claims highest seq first", async () => {
    const claims = await claimsOf(4);
    const { queue, served, setCids } = queueOver();
    setCids(claims.map((c) => c.cid));
    const peer = await aPeer();
    for (const seq of [1, 3, 2]) queue.enqueue(pending(claims[seq] as PendingClaim["claim"], peer));
    await queue.idle();
    expect(served.map((p) => p.claim.seq)).to.deep.equal([3, 2, 1]);
  });

  it("does not serve claims that the fetch of a higher one made held", async () => {
    const claims = await claimsOf(4);
    const { queue, served, setCids } = queueOver({ fetches: true });
    setCids(claims.map((c) => c.cid));
    const peer = await aPeer();
    for (const seq of [1, 3, 2]) queue.enqueue(pending(claims[seq] as PendingClaim["claim"], peer));
    await queue.idle();
    expect(served.map((p) => p.claim.seq)).to.deep.equal([3]);
  });

  it("queues a claim repeated by the same peer once", async () => {
    const [claim] = await claimsOf(1);
    const { queue, served } = queueOver();
    const peer = await aPeer();
    for (let i = 0; i < 3; i++) queue.enqueue(pending(claim as PendingClaim["claim"], peer));
    await queue.idle();
    expect(served).to.have.length(1);
  });

  it("does not queue again a claim that is being fetched", async () => {
    const [claim] = await claimsOf(1);
    const { queue, served, block, unblock } = queueOver();
    const peer = await aPeer();
    block();
    queue.enqueue(pending(claim as PendingClaim["claim"], peer));
    await new Promise((resolve) => setImmediate(resolve));
    expect(served).to.have.length(1);
    queue.enqueue(pending(claim as PendingClaim["claim"], peer));
    unblock();
    await queue.idle();
    expect(served).to.have.length(1);
  });

  it("ignores this node's own head, non-members' heads and held heads", async () => {
    const claims = await claimsOf(2);
    const { queue, served, hold, setCids } = queueOver();
    setCids(claims.map((c) => c.cid));
    hold(1);
    const peer = await aPeer();
    queue.enqueue(pending({ ...(claims[0] as PendingClaim["claim"]), author: self.address }, peer));
    queue.enqueue(pending({ ...(claims[0] as PendingClaim["claim"]), author: outsider.address }, peer));
    queue.enqueue(pending(claims[1] as PendingClaim["claim"], peer));
    await queue.idle();
    expect(served).to.deep.equal([]);
  });

  it("never queues a refused claim from that peer again, but does from another peer", async () => {
    const [claim] = await claimsOf(1);
    const { queue, served } = queueOver();
    const [liar, honest] = [await aPeer(), await aPeer()];
    queue.refuse(pending(claim as PendingClaim["claim"], liar));
    queue.enqueue(pending(claim as PendingClaim["claim"], liar));
    await queue.idle();
    expect(served).to.deep.equal([]);
    queue.enqueue(pending(claim as PendingClaim["claim"], honest));
    await queue.idle();
    expect(served.map((p) => p.peer?.toString())).to.deep.equal([honest.toString()]);
    expect(queue.isRefused(liar, (claim as PendingClaim["claim"]).cid)).to.equal(true);
  });

  it("keys a refusal by peer and CID, a chain claim by 'chain'", async () => {
    const [claim] = await claimsOf(1);
    const peer = await aPeer();
    const cid = (claim as PendingClaim["claim"]).cid;
    expect(refusalKey(peer, cid)).to.equal(`${peer.toString()}/${cid.toString()}`);
    expect(refusalKey(null, cid)).to.equal(`chain/${cid.toString()}`);
  });

  it("serves a chain claim (seq unknown) that is not held", async () => {
    const [claim] = await claimsOf(1);
    const { queue, served } = queueOver();
    queue.enqueue(pending({ ...(claim as PendingClaim["claim"]), seq: UNKNOWN_SEQ }, null, "chain"));
    await queue.idle();
    expect(served.map((p) => p.source)).to.deep.equal(["chain"]);
  });

  it("remembers the highest claimed head of each author and every peer that claimed it", async () => {
    const claims = await claimsOf(3);
    const { queue } = queueOver();
    const [p1, p2, p3] = [await aPeer(), await aPeer(), await aPeer()];
    queue.enqueue(pending(claims[1] as PendingClaim["claim"], p1));
    queue.enqueue(pending(claims[2] as PendingClaim["claim"], p2));
    queue.enqueue(pending(claims[2] as PendingClaim["claim"], p3));
    queue.enqueue(pending(claims[0] as PendingClaim["claim"], p1));
    await queue.idle();
    expect(queue.remoteHeads().get(author.address)).to.deep.equal({ seq: 2, cid: claims[2]?.cid.toString(), peers: [p2.toString(), p3.toString()] });
  });

  it("queues nothing once stopped", async () => {
    const [claim] = await claimsOf(1);
    const { queue, served, controller } = queueOver();
    controller.abort();
    queue.enqueue(pending(claim as PendingClaim["claim"], await aPeer()));
    await queue.idle();
    expect(served).to.deep.equal([]);
  });
});
