/**
 * A member that forks its log, as the messages see it: its message covered by a flushed round before
 * the fork keeps its final place; its message not yet covered, on the branch the fork makes
 * doubtful, is delivered as dropped and never becomes final. Real `ring-node` processes on a real
 * chain; the forking member is one the test controls (a real Helia/libp2p node in the test process,
 * test/node/helpers/scriptedPeer.ts) that writes plaintext message entries.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import type { MessageNotification } from "../../../node/src/api/subscriptions.js";
import { MessagesClient } from "../../../node/src/client/messagesClient.js";
import { ringDomain } from "../../../node/src/core/eip712.js";
import type { EncodedLogNode } from "../../../node/src/core/logNode.js";
import { identityFromPrivateKey } from "../../../node/src/identity/identity.js";
import { messageEntry } from "../../../node/src/messages/entry.js";
import { jsonRpcUrlAt } from "../../../scripts/devnet/jsonRpcUrl.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import type { RingNodeProcess } from "../../../scripts/devnet/ringNodeProcess.js";
import { startTestRing, type TestRing } from "../../../scripts/devnet/ringOfNodes.js";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { ScriptedPeer } from "../helpers/scriptedPeer.js";

const APP = "fork-chat";

describe("ring-node: the messages of a member that forks its log", function () {
  this.timeout(300_000);
  let ring: TestRing;
  let a: RingNodeProcess;
  let b: RingNodeProcess;
  let forker: ScriptedPeer;
  let client: MessagesClient;
  const forkerKey = identityFromPrivateKey(Wallet.createRandom().privateKey);
  const seen: MessageNotification[] = [];
  const stop = new AbortController();
  let subscribed: Promise<void> | undefined;

  const claimOf = (node: EncodedLogNode) => ({ author: node.node.author, seq: node.node.seq, cid: node.cid });
  const post = (seq: number, prev: EncodedLogNode | undefined, txt: string) =>
    forker.sign({ seq, prev: prev === undefined ? [] : [prev.cid], payload: messageEntry({ app: APP, payload: { txt } }) });
  const notes = (cid: EncodedLogNode["cid"]) => seen.filter((n) => n.message.cid === cid.toString()).map((n) => n.state);

  before(async () => {
    ring = await startTestRing(2, "forked-author", { extraMembers: [forkerKey.address] });
    a = await ring.start(0, { args: ["--fetch-timeout-ms", "3000", "--head-exchange-ms", "2000"] });
    b = await ring.start(1, { peers: [a.multiaddr], args: ["--fetch-timeout-ms", "3000", "--head-exchange-ms", "2000"] });
    forker = await ScriptedPeer.start(forkerKey, ringDomain(31337n, ring.ring), await ring.dirs.make("forker"));
    client = new MessagesClient(await jsonRpcUrlAt(ring.members[0]?.dataDir as string, a.child.pid), { timeoutMs: 10_000 });
    subscribed = (async () => {
      for await (const note of client.subscribe(APP, { signal: stop.signal })) seen.push(note);
    })().catch(() => undefined);
  });

  after(async () => {
    stop.abort();
    await subscribed;
    await forker?.stop();
    await ring?.cleanup();
  });

  it("keeps a final message in its place and drops the tentative one of the forked branch", async () => {
    // 1. A message covered by a flushed round (the two ring-node members are 2 of 3: a quorum).
    const first = await post(0, undefined, "before the fork");
    await forker.serve(first);
    forker.claims = [claimOf(first)];
    await forker.announceTo(a.multiaddr);
    await forker.announceTo(b.multiaddr);
    await waitFor("the first message final at member A", () => notes(first.cid).includes("final"), 60_000, 200);
    const finalBefore = await client.read({ app: APP });
    expect(finalBefore.messages.map((m) => [m.cid, m.status])).to.deep.equal([[first.cid.toString(), "final"]]);

    // 2. With member B down no round can be flushed: the next message stays tentative at A.
    await b.kill();
    const second = await post(1, first, "on a branch");
    await forker.serve(second);
    forker.claims = [claimOf(second)];
    await forker.announceTo(a.multiaddr);
    await waitFor("the second message tentative at member A", () => notes(second.cid).includes("tentative"), 30_000, 200);

    // 3. The forker signs another node at the same seq: A keeps the pair as evidence and drops the tentative message.
    const other = await post(1, first, "the other branch");
    forker.logSync = (request) => (request.author === forkerKey.address && request.to.equals(other.cid) ? [other] : null);
    forker.claims = [claimOf(other)];
    await forker.announceTo(a.multiaddr);
    await waitFor("the second message dropped at member A", () => notes(second.cid).includes("dropped"), 30_000, 200);
    expect(notes(other.cid)).to.deep.equal([]);

    // 4. The fork is proven on chain (A submits the pair), the forker is ejected; the first message keeps its place.
    const contract = ringAt(ring.ring, ring.chain.account(0));
    await waitFor("the fork proven on chain", async () => !(await contract.isMember(forkerKey.address)), 60_000, 250);
    const after = await client.read({ app: APP });
    expect(after.messages.map((m) => [m.cid, m.status, m.round])).to.deep.equal(finalBefore.messages.map((m) => [m.cid, m.status, m.round]));
    expect(notes(second.cid)).to.not.include("final");
  });
});
