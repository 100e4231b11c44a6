/**
 * The explorer's state (dashboard/explorerData.ts) assembled from ring-node processes, here fakes of
 * the reads a process answers (status, log window, ReadMessages): the bounded log windows, the cuts
 * of flushed rounds matched to the members' proposals, the latencies the relayers measured, the
 * messages in the agreed order and the replica nodes' follow progress.
 */
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import type { ReadMessagesResult } from "../../../node/src/api/index.js";
import { bytes32ToCid } from "../../../node/src/core/cid.js";
import type { ChainSnapshot, RoundView } from "../../../node/src/dashboard/chainSnapshot.js";
import { collectExplorer, type ExplorerNode } from "../../../node/src/dashboard/explorerData.js";
import type { RawLogNode } from "../../../node/src/dashboard/explorerEntries.js";
import type { NodeStatus } from "../../../node/src/status/status.js";

const RING = "0x00000000000000000000000000000000000000C0";
const CLIENT_RING = "0x00000000000000000000000000000000000000D0";
const A = "0x00000000000000000000000000000000000000A1";
const B = "0x00000000000000000000000000000000000000B2";
const HEAD_1 = hexlify(randomBytes(32));
const HEAD_2 = hexlify(randomBytes(32));

const roundView = (round: number, head: string): RoundView => ({ round, ringNodeHead: bytes32ToCid(head)?.toString() ?? "", relayer: A, txHash: `0x${round}`, gasUsed: "1", block: round, agreed: [], dissented: [], outputs: [] });

function snapshot(rounds: RoundView[]): ChainSnapshot {
  const base = { owner: A, round: rounds.length, ringNodeHead: "", requiredVotes: 2, members: [], rounds, relayedHeads: [], queuedJobs: [] };
  return {
    chainId: "31337",
    blockNumber: 9,
    takenAt: "",
    rings: [
      { ...base, address: RING, kind: "ring", registrations: [] },
      { ...base, address: "0x00000000000000000000000000000000000000E0", kind: "replica", rounds: [], registrations: [{ clientRing: CLIENT_RING, registrant: A, fee: "1", txHash: "0xreg" }] },
    ],
  };
}

const status = (address: string, ownSeq: number, extra: Partial<NodeStatus> = {}): NodeStatus => ({
  address, peerId: "", ring: RING, chainId: "31337", round: "0", multiaddrs: [], own: ownSeq < 0 ? null : { seq: ownSeq, cid: `${address}-${ownSeq}` }, members: [], peers: [], rejections: 0, forks: 0, relay: { reservations: [], via: [] }, ...extra,
});

/** `length` message nodes of `author`, the node at `proposalAt` a proposal of `round` with `cut`. */
function logOf(author: string, length: number, proposals: Record<number, { round: number; head: string; cut: Record<string, number> }> = {}): RawLogNode[] {
  return Array.from({ length }, (_, seq) => {
    const proposal = proposals[seq];
    const payload = proposal === undefined ? { message: { app: "chat", payload: { txt: `m${seq}` } } } : { type: "proposal", round: proposal.round, ringNodeHead: proposal.head, cut: Object.entries(proposal.cut).map(([a, s]) => ({ author: a, seq: s, cid: { "/": "x" } })), jobs: [] };
    return { seq, cid: `${author}-${seq}`, prev: seq === 0 ? [] : [`${author}-${seq - 1}`], ts: seq, payload };
  });
}

interface FakeOptions {
  role?: "member" | "replica";
  nodes?: RawLogNode[];
  status?: NodeStatus | Error;
  messages?: ReadMessagesResult;
}

/** A fake process; `asked` records the log windows it was asked for. */
function fake(name: string, address: string, options: FakeOptions): ExplorerNode & { asked: [number, number][] } {
  const asked: [number, number][] = [];
  const nodes = options.nodes ?? [];
  const node: ExplorerNode & { asked: [number, number][] } = {
    name, role: options.role ?? "member", address, asked,
    status: () => (options.status instanceof Error ? Promise.reject(options.status) : Promise.resolve(options.status ?? status(address, nodes.length - 1))),
    log: (author, from, limit) => {
      asked.push([from, limit]);
      return Promise.resolve({ author, length: nodes.length, nodes: nodes.slice(from, from + limit) });
    },
  };
  const messages = options.messages;
  if (messages !== undefined) node.readMessages = () => Promise.resolve(messages);
  return node;
}

describe("explorer state from the ring's processes", () => {
  it("asks each member for the last `logNodes` nodes of its own log only", async () => {
    const a = fake("member-0", A, { nodes: logOf(A, 30) });
    const state = await collectExplorer({ ring: RING, chain: snapshot([]), nodes: [a], limits: { logNodes: 10 } });
    expect(a.asked).to.deep.equal([[20, 10]]);
    expect(state.members[0]?.dag.nodes.map((node) => node.seq)).to.deep.equal([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(state.members[0]).to.include({ length: 30, from: 20, error: null });
  });

  it("marks the nodes a flushed round's cut covers, taking the cut from the proposal with that round and ring head", async () => {
    const a = fake("member-0", A, { nodes: logOf(A, 6, { 2: { round: 1, head: HEAD_1, cut: { [A]: 1, [B]: 0 } }, 4: { round: 2, head: HEAD_2, cut: { [A]: 3 } } }) });
    // Round 2's flush is of another head than the proposal at seq 4 names: that proposal's cut was not the flushed one.
    const state = await collectExplorer({ ring: RING, chain: snapshot([roundView(1, HEAD_1), roundView(2, HEAD_1)]), nodes: [a] });
    const dag = state.members[0]?.dag;
    expect(dag?.nodes.map((node) => node.coveredBy)).to.deep.equal([1, 1, null, null, null, null]);
    expect(dag?.nodes.find((node) => node.seq === 1)?.cutOf).to.deep.equal([1]);
    expect(dag?.nodes.find((node) => node.seq === 2)?.kind).to.equal("proposal");
  });

  it("plots each flushed round with the latency the member that flushed it measured", async () => {
    const rounds = [{ round: 1, proposedAt: 1_000, flushedAt: 1_600, heardAt: null }, { round: 2, proposedAt: 2_000, flushedAt: null, heardAt: null }];
    const a = fake("member-0", A, { status: status(A, -1, { rounds }) });
    const b = fake("member-1", B, { status: status(B, -1, { rounds: [{ round: 2, proposedAt: 3_000, flushedAt: 3_250, heardAt: null }] }) });
    const state = await collectExplorer({ ring: RING, chain: snapshot([roundView(1, HEAD_1), roundView(2, HEAD_2), roundView(3, HEAD_2)]), nodes: [a, b] });
    expect(state.timeline.points.map((point) => [point.round, point.latencyMs, point.flushedAt])).to.deep.equal([[1, 600, 1_600], [2, 250, 3_250], [3, null, null]]);
  });

  it("reports a member that does not answer and still shows the others", async () => {
    const a = fake("member-0", A, { status: new Error("connection refused") });
    const b = fake("member-1", B, { nodes: logOf(B, 2) });
    const state = await collectExplorer({ ring: RING, chain: snapshot([]), nodes: [a, b] });
    expect(state.members[0]?.error).to.contain("connection refused");
    expect(state.members[1]?.dag.nodes).to.have.length(2);
  });

  it("reads the messages of the most frequent app in the logs at a member, final then tentative", async () => {
    const item = (seq: number, status: "final" | "tentative") => ({ cid: `c${seq}`, author: A, seq, app: "chat", payload: {}, status, round: status === "final" ? 1 : null });
    const messages: ReadMessagesResult = { messages: [item(0, "final"), item(1, "tentative")], cursor: "k", finalRound: 1 };
    const a = fake("member-0", A, { nodes: logOf(A, 2), messages });
    const state = await collectExplorer({ ring: RING, chain: snapshot([]), nodes: [a] });
    expect(state.apps).to.deep.equal(["chat"]);
    expect(state.app).to.equal("chat");
    expect(state.messages.map((message) => message.status)).to.deep.equal(["final", "tentative"]);
    expect(state.finalRound).to.equal(1);
  });

  it("shows per replica node how far it holds each member of a registered client ring against the head on chain", async () => {
    const follow = [{ ring: CLIENT_RING, member: A, onChain: [`${A}-4`], held: { seq: 2, cid: `${A}-2` }, caughtUp: false, error: null, at: "" }];
    const a = fake("member-0", A, { nodes: logOf(A, 5) });
    const replica = fake("replica-0", B, { role: "replica", status: status(B, -1, { replica: follow }) });
    const state = await collectExplorer({ ring: RING, chain: snapshot([]), nodes: [a, replica] });
    expect(state.registrations).to.have.length(1);
    expect(state.registrations[0]?.follow).to.deep.equal([{ replica: "replica-0", member: A, heldSeq: 2, onChainSeq: 4, onChainHead: `${A}-4`, caughtUp: false, error: null }]);
  });
});
