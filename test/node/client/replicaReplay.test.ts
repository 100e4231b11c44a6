/**
 * Replay from a replica (node/src/client/replicaReplay.ts) over a stand-in replica serving the
 * logs of test/node/helpers/replayWorld.ts as GetReplicaLog pages (newest first): the final order
 * by (round, author, seq) from the chain-checked cuts, a former member's log fetched because a cut
 * names it, and a log served without its first node refused.
 */
import { expect } from "chai";
import { hexlify } from "ethers";
import { describe, it } from "mocha";
import type { GetReplicaLogResult } from "../../../node/src/api/results.js";
import type { ReplayLog } from "../../../node/src/client/chainCuts.js";
import { ReplayNodeRefusedError } from "../../../node/src/client/errors.js";
import { replayFromReplica, type ReplicaReplayOptions } from "../../../node/src/client/replicaReplay.js";
import { alice, chainOf, RING, world } from "../helpers/replayWorld.js";

/** A replica holding `logs` (by lower-case author), each page at most `pageSize` nodes. */
function replicaOf(logs: ReadonlyMap<string, ReplayLog>, pageSize = 2, drop = 0): ReplicaReplayOptions["replica"] {
  return {
    async *replicaLogPages(params) {
      const nodes = [...(logs.get(params.member.toLowerCase())?.nodes ?? [])].slice(drop).reverse();
      for (let at = 0; at < nodes.length || at === 0; at += pageSize) {
        const page = nodes.slice(at, at + pageSize);
        const next = nodes[at + pageSize];
        const result: GetReplicaLogResult = { ring: params.ring, member: params.member, head: nodes[0]?.cid.toString() ?? null, headSeq: nodes[0]?.node.seq ?? null, nodes: page.map((node) => hexlify(node.bytes)), next: next?.cid.toString() ?? null, nextSeq: next?.node.seq ?? null };
        yield await Promise.resolve(result);
        if (next === undefined) return;
      }
    },
  };
}

async function optionsOf(drop = 0): Promise<ReplicaReplayOptions> {
  const { logs, heads } = await world();
  return {
    replica: replicaOf(logs, 2, drop),
    auth: () => ({ expires: 0, mac: "0x" }),
    // Only alice is a member now: bob's log is fetched because the cuts name him.
    chain: { ...chainOf(heads), members: () => Promise.resolve([alice.address]) },
    chainId: 31337,
    ring: RING,
    readKeys: [],
    app: "chat",
  };
}

describe("client: replay from a replica", () => {
  it("gives the final messages by round, then author, then seq, fetching the logs the cuts name", async () => {
    const replay = await replayFromReplica(await optionsOf());
    const texts = replay.messages.map((ordered) => `${ordered.round}:${(ordered.message.payload as { txt: string }).txt}`);
    expect(texts.slice(0, 3)).to.have.members(["1:a0", "1:a1", "1:b0"]);
    expect(texts.slice(3)).to.have.members(["2:a2", "2:b2"]);
    expect(replay.finalRound).to.equal(2);
  });

  it("orders a round's messages by author address, then seq", async () => {
    const replay = await replayFromReplica(await optionsOf());
    const keys = replay.messages.map((ordered) => [ordered.round ?? 0, ordered.message.author.toLowerCase(), ordered.message.seq] as const);
    const sorted = [...keys].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0) || x[2] - y[2]);
    expect(keys).to.deep.equal(sorted);
    expect(keys.length).to.equal(5);
  });

  it("refuses a log the replica serves without its first node", async () => {
    const error = await replayFromReplica(await optionsOf(1)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ReplayNodeRefusedError);
  });
});
