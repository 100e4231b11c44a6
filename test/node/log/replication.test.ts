/**
 * Members hold each other's logs: four `ring-node` processes on loopback, a real chain (hardhat
 * node over JSON-RPC), real Helia/libp2p. Appends on one member reach the other three, verified;
 * a node killed with -9 resumes from disk with no gap and catches up.
 */
import { expect } from "chai";
import type { NodeStatus } from "../../../node/src/status/status.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { ringNodeCommand, type RingNodeProcess } from "../../../scripts/devnet/ringNodeProcess.js";
import { startTestRing, type TestRing } from "../../../scripts/devnet/ringOfNodes.js";

interface LogSlice {
  author: string;
  length: number;
  nodes: Array<{ seq: number; cid: string; prev: string[]; payload: unknown }>;
}

/** Appends `count` payloads `{ i: start.. }` with `concurrency` requests in flight; returns the acknowledged seqs. */
async function appendMany(node: RingNodeProcess, start: number, count: number, concurrency = 8): Promise<number[]> {
  const acknowledged: number[] = [];
  let next = start;
  const end = start + count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < end) {
        const i = next++;
        const { seq } = await node.control.append({ i });
        acknowledged.push(seq);
      }
    }),
  );
  return acknowledged.sort((a, b) => a - b);
}

/** The author's whole log as `node` holds it. */
async function wholeLog(node: RingNodeProcess, author: string): Promise<LogSlice["nodes"]> {
  const nodes: LogSlice["nodes"] = [];
  for (;;) {
    const slice = await node.control.log<LogSlice>(author, nodes.length, 1000);
    nodes.push(...slice.nodes);
    if (slice.nodes.length === 0 || nodes.length >= slice.length) return nodes;
  }
}

async function heldLength(node: RingNodeProcess, author: string): Promise<number> {
  return (await node.control.log<LogSlice>(author, 0, 1)).length;
}

function expectContiguous(nodes: LogSlice["nodes"]): void {
  nodes.forEach((node, seq) => {
    expect(node.seq).to.equal(seq);
    if (seq > 0) expect(node.prev[0]).to.equal(nodes[seq - 1]?.cid);
  });
}

describe("ring-node: replication between four member processes", function () {
  this.timeout(300_000);
  let ring: TestRing;
  const nodes: RingNodeProcess[] = [];

  before(async () => {
    ring = await startTestRing(4, "replication");
    nodes.push(await ring.start(0));
    // The others find node 0 from --peer and every member from the chain (Ring.nodeInfo).
    for (let i = 1; i < 4; i++) nodes.push(await ring.start(i, { peers: [nodes[0]?.multiaddr ?? ""] }));
  });

  after(async () => {
    await ring?.cleanup();
  });

  it("1,000 appends on one member are held and verified by the other three", async () => {
    const [writer, ...followers] = nodes as [RingNodeProcess, ...RingNodeProcess[]];
    const acknowledged = await appendMany(writer, 0, 1000);
    expect(acknowledged).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
    const written = await wholeLog(writer, writer.address);
    for (const follower of followers) {
      await waitFor(`${follower.address} to hold 1,000 nodes of ${writer.address}`, async () => (await heldLength(follower, writer.address)) === 1000, 120_000, 250);
      const held = await wholeLog(follower, writer.address);
      expect(held.map((n) => n.cid)).to.deep.equal(written.map((n) => n.cid));
      expect(held.map((n) => (n.payload as { i: number }).i).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
      expectContiguous(held);
      const rejections = await follower.control.rejections<unknown[]>();
      expect(rejections).to.deep.equal([]);
    }
    const status = await followers[0]?.control.status<NodeStatus>();
    const writerRow = status?.members.find((m) => m.address === writer.address);
    expect(writerRow?.held?.seq).to.equal(999);
    expect(writerRow?.lag).to.equal(0);
  });

  it("every member pins every member's log it holds (the writer's own included)", async () => {
    const writer = nodes[0] as RingNodeProcess;
    for (const node of nodes) {
      await waitFor(`${node.address} to pin 1,000 nodes of ${writer.address}`, async () => {
        const row = (await node.control.status<NodeStatus>()).members.find((m) => m.address === writer.address);
        return row?.pinnedSeq === 999;
      }, 60_000, 250);
    }
  });

  it("members find each other from the chain (Ring.nodeInfo), not only from --peer", async () => {
    // Nodes 1..3 were given only node 0's address; each published its own on chain at start.
    const last = nodes[3] as RingNodeProcess;
    await waitFor("node 3 connected to every member", async () => (await last.control.status<NodeStatus>()).members.every((m) => m.connected), 30_000, 250);
  });

  it("`ring-node append` and `ring-node status` work against the running node", async () => {
    const member = ring.members[2];
    const node = nodes[2] as RingNodeProcess;
    if (member === undefined) throw new Error("no member 2");
    const appended = await ringNodeCommand(["append", '{"from":"cli"}', "--data-dir", member.dataDir]);
    expect(appended).to.match(/^0\tbafyrei[a-z2-7]+\n$/);
    const printed = await ringNodeCommand(["status", "--data-dir", member.dataDir]);
    expect(printed).to.include(`own head seq 0`);
    expect(printed).to.include(node.address);
    const json = JSON.parse(await ringNodeCommand(["status", "--data-dir", member.dataDir, "--json"])) as NodeStatus;
    expect(json.members.map((m) => m.address).sort()).to.deep.equal(ring.members.map((m) => m.address).sort());
    expect(json.members.find((m) => m.self)?.held?.seq).to.equal(0);
  });

  it("an appender killed with -9 mid-append resumes with no gap, and the others catch up", async () => {
    const writer = nodes[1] as RingNodeProcess;
    const before = await heldLength(writer, writer.address);
    const acknowledged: number[] = [];
    const appending = (async () => {
      for (let i = 0; ; i++) {
        try {
          acknowledged.push((await writer.control.append({ crash: i })).seq);
        } catch {
          return;
        }
      }
    })();
    await waitFor("some appends before the kill", () => acknowledged.length >= 150, 60_000, 10);
    await writer.kill();
    await appending;
    const restarted = await ring.start(1, { peers: [nodes[0]?.multiaddr ?? ""] });
    nodes[1] = restarted;
    const resumed = await wholeLog(restarted, restarted.address);
    // Every acknowledged append survived, in order, with no hole.
    expectContiguous(resumed);
    expect(resumed.length).to.be.at.least(before + acknowledged.length);
    for (const seq of acknowledged) expect(resumed[seq]).to.not.equal(undefined);
    // It keeps appending from where it stopped.
    const { seq } = await restarted.control.append({ after: "restart" });
    expect(seq).to.equal(resumed.length);
    const final = seq + 1;
    // Pinning resumes where the killed run stopped, from the pins on disk.
    await waitFor("the restarted writer to pin its whole log", async () => (await restarted.control.status<NodeStatus>()).members.find((m) => m.self)?.pinnedSeq === seq, 60_000, 250);
    for (const other of [nodes[0], nodes[2], nodes[3]] as RingNodeProcess[]) {
      await waitFor(`${other.address} to catch up with the restarted writer`, async () => (await heldLength(other, restarted.address)) === final, 60_000, 250);
      expectContiguous(await wholeLog(other, restarted.address));
    }
  });

  it("a follower killed with -9 catches up on restart with what was appended while it was down", async () => {
    const writer = nodes[0] as RingNodeProcess;
    const follower = nodes[3] as RingNodeProcess;
    await follower.kill();
    const start = await heldLength(writer, writer.address);
    await appendMany(writer, start, 300);
    const restarted = await ring.start(3, { peers: [writer.multiaddr] });
    nodes[3] = restarted;
    await waitFor("the restarted follower to catch up", async () => (await heldLength(restarted, writer.address)) === start + 300, 60_000, 250);
    const held = await wholeLog(restarted, writer.address);
    expectContiguous(held);
    expect(held.map((n) => n.cid)).to.deep.equal((await wholeLog(writer, writer.address)).map((n) => n.cid));
  });
});
