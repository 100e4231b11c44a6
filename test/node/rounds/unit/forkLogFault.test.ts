/**
 * The `fork-log` test fault (rounds/faults.ts) is a decorator around the own log: production code
 * never checks for it. Here the own log is an in-memory list of signed nodes.
 */
import { expect } from "chai";
import { getBytes, Wallet } from "ethers";
import { describe, it } from "mocha";
import pino from "pino";
import { ringDomain } from "../../../../node/src/core/eip712.js";
import { decodeLogNode, recoverLogNodeAuthor, signLogNodeWithKey, type EncodedLogNode } from "../../../../node/src/core/logNode.js";
import type { LogHead } from "../../../../node/src/log/store.js";
import { encodeData } from "../../../../node/src/compute/job.js";
import { JOB_ENTRY, SHARD_ENTRY } from "../../../../node/src/rounds/entries.js";
import { forkLog, type RoundsOwnLog } from "../../../../node/src/rounds/faults.js";

const wallet = Wallet.createRandom();
const ring = Wallet.createRandom().address;
const domain = ringDomain(31337, ring);

/** A member's own log in memory, and what the fault announces. */
function member() {
  const nodes: EncodedLogNode[] = [];
  const announced: LogHead[] = [];
  const stored: Uint8Array[] = [];
  const head = (): LogHead | null => {
    const last = nodes.at(-1);
    return last === undefined ? null : { author: wallet.address, seq: last.node.seq, cid: last.cid };
  };
  const ownLog: RoundsOwnLog = {
    head,
    onAppended: () => () => undefined,
    append: async (payload) => {
      const previous = nodes.at(-1);
      const body = { v: 1, ring, author: wallet.address, seq: nodes.length, prev: previous === undefined ? [] : [previous.cid], payload };
      const node = await signLogNodeWithKey(body, getBytes(wallet.privateKey), domain);
      nodes.push(node);
      return node;
    },
  };
  const log = forkLog(ownLog, {
    logs: { nodeAt: (_author, seq) => Promise.resolve(nodes[seq] ?? null) },
    blocks: { putBytes: (_cid, bytes) => Promise.resolve(void stored.push(bytes)) },
    signer: { address: wallet.address, privateKey: getBytes(wallet.privateKey) },
    chain: { domain },
    replicator: { announce: (claimed) => Promise.resolve(void announced.push(claimed)) },
    logger: pino({ level: "silent" }),
  });
  return { log, nodes, announced, stored };
}

async function shardEntry(shard: number) {
  const result = await encodeData({ shard });
  return { type: SHARD_ENTRY, job: result.cid, shard, result: result.cid, bytes: result.bytes };
}

describe("the fork-log fault", function () {
  it("right after the first shard result, announces a second node at that seq, signed by the member", async function () {
    const { log, nodes, announced, stored } = member();
    const appended = await log.append(await shardEntry(0));
    expect(announced).to.have.length(1);
    const fork = announced[0] as LogHead;
    expect(fork.seq).to.equal(appended.node.seq);
    expect(fork.cid.equals(appended.cid)).to.equal(false);
    const forked = await decodeLogNode(stored[0] as Uint8Array);
    expect(forked.cid.equals(fork.cid)).to.equal(true);
    expect(recoverLogNodeAuthor(forked, domain)).to.equal(wallet.address);
    expect(nodes).to.have.length(1);
  });

  it("forks only once, and not on other entries", async function () {
    const { log, announced } = member();
    const spec = await encodeData("spec");
    await log.append({ type: JOB_ENTRY, job: spec.cid, spec: spec.bytes, pin: 0 });
    expect(announced).to.have.length(0);
    await log.append(await shardEntry(0));
    await log.append(await shardEntry(1));
    expect(new Set(announced.map((head) => head.cid.toString())).size).to.equal(1);
  });
});
