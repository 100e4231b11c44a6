/**
 * The restore plan of a member's own log (node/src/restore/restorePlan.ts) over sources faked in
 * memory: the nodes are really signed and really verified; a source is a map of blocks (or one
 * that fails, or one that serves forged bytes). The plan walks from each on-chain head down to the
 * held log, takes each node from the first source whose block verifies, and refuses (nothing to
 * append) when no source has a node, when the chain's log is not the one held, or past its bound.
 */
import { expect } from "chai";
import { getBytes, Wallet } from "ethers";
import { describe, it } from "mocha";
import type { CID } from "multiformats/cid";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { signLogNodeWithKey, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { OwnLogBehindChainError, OwnLogDivergesError, REFUSED_TO_FORK_EXIT_CODE, RestoreTooLongError } from "../../../node/src/restore/errors.js";
import { planRestore, type HeldLog, type RestorePlanInput, type RestoreSource } from "../../../node/src/restore/restorePlan.js";

const member = Wallet.createRandom();
const other = Wallet.createRandom();
const ring = Wallet.createRandom().address;
const domain = ringDomain(31337n, ring);

async function logOf(count: number, signer = member, tag = "a"): Promise<EncodedLogNode[]> {
  const nodes: EncodedLogNode[] = [];
  for (let seq = 0; seq < count; seq++) {
    const previous = nodes.at(-1);
    nodes.push(await signLogNodeWithKey({ v: 1, ring, author: member.address, seq, prev: previous === undefined ? [] : [previous.cid], ts: seq, payload: { seq, tag } }, getBytes(signer.privateKey), domain));
  }
  return nodes;
}

/** A source holding `nodes`, counting what it was asked for. */
function source(name: string, nodes: readonly EncodedLogNode[]): RestoreSource & { asked: number } {
  const blocks = new Map(nodes.map((node) => [node.cid.toString(), node.bytes]));
  const fake = { name, asked: 0, get: (cid: CID) => ((fake.asked += 1), Promise.resolve(blocks.get(cid.toString()) ?? null)) };
  return fake;
}

function heldOf(nodes: readonly EncodedLogNode[]): HeldLog {
  return { length: nodes.length, holds: (seq, cid) => nodes[seq]?.cid.equals(cid) ?? false };
}

function input(targets: CID[], held: readonly EncodedLogNode[], sources: RestoreSource[], extra: Partial<RestorePlanInput> = {}): RestorePlanInput {
  return { author: member.address, targets, held: heldOf(held), sources, context: { domain, isMember: (address) => address === member.address }, maxNodes: 1_000, signal: new AbortController().signal, ...extra };
}

const seqsOf = (nodes: EncodedLogNode[]) => nodes.map((node) => node.node.seq);

describe("restore plan of a member's own log", function () {
  it("has nothing to restore when the store holds the on-chain head", async function () {
    const log = await logOf(5);
    expect(await planRestore(input([(log[3] as EncodedLogNode).cid], log, [source("replica", log)]))).to.deep.equal({ kind: "current" });
  });

  it("restores a whole lost log from seq 0 to the on-chain head, oldest first", async function () {
    const log = await logOf(6);
    const plan = await planRestore(input([(log[5] as EncodedLogNode).cid], [], [source("replica", log)]));
    expect(plan.kind).to.equal("restore");
    if (plan.kind !== "restore") return;
    expect(seqsOf(plan.nodes)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(plan.bySource).to.deep.equal({ replica: 6 });
  });

  it("restores only the nodes above the held log when the store holds an older part", async function () {
    const log = await logOf(8);
    const plan = await planRestore(input([(log[7] as EncodedLogNode).cid], log.slice(0, 5), [source("replica", log)]));
    expect(plan.kind === "restore" ? seqsOf(plan.nodes) : []).to.deep.equal([5, 6, 7]);
  });

  it("takes each node from the first source that has it (a replica missing the old part, a peer with it)", async function () {
    const log = await logOf(6);
    const replica = source("replica", log.slice(3));
    const peer = source("peer", log);
    const plan = await planRestore(input([(log[5] as EncodedLogNode).cid], [], [replica, peer]));
    expect(plan.kind === "restore" ? plan.bySource : {}).to.deep.equal({ replica: 3, peer: 3 });
  });

  it("skips a source whose block does not verify and a source that fails", async function () {
    const log = await logOf(3);
    const forged = await logOf(3, other);
    const lying: RestoreSource = { name: "liar", get: (cid) => Promise.resolve(cid.equals((log[2] as EncodedLogNode).cid) ? (forged[2] as EncodedLogNode).bytes : null) };
    const failing: RestoreSource = { name: "down", get: () => Promise.reject(new Error("ECONNREFUSED")) };
    const plan = await planRestore(input([(log[2] as EncodedLogNode).cid], [], [failing, lying, source("replica", log)]));
    expect(plan.kind === "restore" ? plan.bySource : {}).to.deep.equal({ replica: 3 });
  });

  it("refuses, with the refusal's exit code, when no source has a missing node", async function () {
    const log = await logOf(6);
    const error = await planRestore(input([(log[5] as EncodedLogNode).cid], log.slice(0, 2), [source("replica", log.slice(4))])).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(OwnLogBehindChainError);
    expect((error as OwnLogBehindChainError).name).to.equal("OwnLogBehindChainError");
    expect((error as OwnLogBehindChainError).exitCode).to.equal(REFUSED_TO_FORK_EXIT_CODE);
    expect((error as Error).message).to.include("seq 3");
  });

  it("refuses when there is no source at all and the chain is ahead", async function () {
    const log = await logOf(2);
    await planRestore(input([(log[1] as EncodedLogNode).cid], [], [])).then(
      () => expect.fail("planned a restore without sources"),
      (error: unknown) => expect(error).to.be.instanceOf(OwnLogBehindChainError),
    );
  });

  it("refuses when the chain's log meets the held log at a seq where the store holds another node", async function () {
    const chainLog = await logOf(5, member, "chain");
    const heldLog = await logOf(3, member, "held");
    const error = await planRestore(input([(chainLog[4] as EncodedLogNode).cid], heldLog, [source("replica", chainLog)])).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(OwnLogDivergesError);
  });

  it("refuses an on-chain head at a held seq that is not the held node", async function () {
    const chainLog = await logOf(2, member, "chain");
    const heldLog = await logOf(4, member, "held");
    const error = await planRestore(input([(chainLog[1] as EncodedLogNode).cid], heldLog, [source("replica", chainLog)])).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(OwnLogDivergesError);
  });

  it("follows every on-chain head (logNodeHeads and the round's member head) and appends up to the newest", async function () {
    const log = await logOf(7);
    const plan = await planRestore(input([(log[3] as EncodedLogNode).cid, (log[6] as EncodedLogNode).cid], [], [source("replica", log)]));
    expect(plan.kind === "restore" ? seqsOf(plan.nodes) : []).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });

  it("refuses two on-chain heads that name different nodes at one seq", async function () {
    const one = await logOf(3, member, "one");
    const two = await logOf(3, member, "two");
    const error = await planRestore(input([(one[2] as EncodedLogNode).cid, (two[2] as EncodedLogNode).cid], [], [source("replica", [...one, ...two])])).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(OwnLogDivergesError);
  });

  it("refuses a restore longer than its bound before fetching past it", async function () {
    const log = await logOf(10);
    const replica = source("replica", log);
    const error = await planRestore(input([(log[9] as EncodedLogNode).cid], [], [replica], { maxNodes: 4 })).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(RestoreTooLongError);
    expect(replica.asked).to.equal(4);
  });
});
