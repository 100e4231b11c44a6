/**
 * The member node's replication glue, with fakes of its components: own appends are announced,
 * chain heads of the other members are wanted, and stopping unsubscribes everything.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { silentLogger } from "../../../node/src/logging.js";
import type { RingEventListener, RingEventRecord } from "../../../node/src/chain/ringChainView.js";
import { cidOfBytes, cidToBytes32, ZERO_BYTES32 } from "../../../node/src/core/cid.js";
import type { AppendListener } from "../../../node/src/log/ownLog.js";
import type { LogHead } from "../../../node/src/log/store.js";
import { HeadFollower, type HeadFollowerComponents } from "../../../node/src/runtime/headFollower.js";

const self = Wallet.createRandom().address;
const other = Wallet.createRandom().address;

function fakes(heads: Record<string, string>) {
  const announced: LogHead[] = [];
  const wanted: Array<{ author: string; cid: string; source: string }> = [];
  const appendListeners = new Set<AppendListener>();
  const chainListeners = new Set<RingEventListener>();
  const components: HeadFollowerComponents = {
    signer: { address: self },
    chain: {
      members: () => [self, other],
      logNodeHead: (member) => heads[member] ?? ZERO_BYTES32,
      onEvent: (listener) => {
        chainListeners.add(listener);
        return () => chainListeners.delete(listener);
      },
    },
    ownLog: {
      onAppended: (listener) => {
        appendListeners.add(listener);
        return () => appendListeners.delete(listener);
      },
    },
    replicator: {
      announce: (head) => {
        announced.push(head);
        return Promise.resolve();
      },
      want: (author, cid, source) => void wanted.push({ author, cid: cid.toString(), source: source ?? "chain" }),
      onReplicated: () => () => undefined,
    },
    logger: silentLogger(),
  };
  return { components, announced, wanted, appendListeners, chainListeners };
}

async function someCid(text: string) {
  return cidOfBytes(new TextEncoder().encode(text));
}

describe("HeadFollower", () => {
  it("announces every durable own append", async () => {
    const world = fakes({});
    new HeadFollower(world.components).start();
    const head: LogHead = { author: self, seq: 3, cid: await someCid("own") };
    for (const listener of world.appendListeners) listener([], head);
    expect(world.announced).to.deep.equal([head]);
  });

  it("wants each other member's head on chain at start, but never its own", async () => {
    const theirs = await someCid("theirs");
    const mine = await someCid("mine");
    const world = fakes({ [other]: cidToBytes32(theirs), [self]: cidToBytes32(mine) });
    new HeadFollower(world.components).start();
    expect(world.wanted).to.deep.equal([{ author: other, cid: theirs.toString(), source: "chain" }]);
  });

  it("skips members whose head on chain is empty", () => {
    const world = fakes({});
    new HeadFollower(world.components).start();
    expect(world.wanted).to.deep.equal([]);
  });

  it("wants the head a LogHeadUpdated event records", async () => {
    const world = fakes({});
    new HeadFollower(world.components).start();
    const cid = await someCid("updated");
    const event = { type: "LogHeadUpdated", member: other, head: cidToBytes32(cid), blockNumber: 1, transactionHash: "0x" } as RingEventRecord;
    for (const listener of world.chainListeners) listener(event);
    expect(world.wanted.map((w) => w.cid)).to.deep.equal([cid.toString()]);
  });

  it("unsubscribes from the own log and the chain when stopped", () => {
    const world = fakes({});
    const follower = new HeadFollower(world.components);
    follower.start();
    follower.stop();
    expect(world.appendListeners.size).to.equal(0);
    expect(world.chainListeners.size).to.equal(0);
  });
});
