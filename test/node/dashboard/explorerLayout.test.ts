/**
 * The explorer's layouts (dashboard/explorerLayout.ts): a member's log nodes placed as a DAG with
 * their prev links and the flushed cuts covering them, and the rounds timeline scaled to its plot.
 */
import { expect } from "chai";
import { coveringRound, layoutDag, layoutTimeline, niceStep, type FlushedCut, type LogNodeView, type TimelineRound } from "../../../node/src/dashboard/explorerLayout.js";

const AUTHOR = "0x00000000000000000000000000000000000000A1";
const OTHER = "0x00000000000000000000000000000000000000B2";

/** A linear log of `count` nodes from seq `from` (each links the one before it). */
function chain(count: number, from = 0, kind = "message"): LogNodeView[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = from + i;
    return { seq, cid: `cid-${seq}`, prev: seq === 0 ? [] : [`cid-${seq - 1}`], ts: 1_000 + seq, kind, label: "" };
  });
}

const cut = (round: number, heads: Record<string, number>): FlushedCut => ({ round, heads: new Map(Object.entries(heads)) });

describe("explorer layout: a member's log as a DAG", () => {
  it("places one node per log node and one edge per prev link held in the window", () => {
    const layout = layoutDag(AUTHOR, chain(5), []);
    expect(layout.nodes.map((node) => node.seq)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(layout.edges.map((edge) => [edge.from, edge.to])).to.deep.equal([["cid-1", "cid-0"], ["cid-2", "cid-1"], ["cid-3", "cid-2"], ["cid-4", "cid-3"]]);
  });

  it("draws no edge to a prev outside the window (the first node of a window from seq 10)", () => {
    const layout = layoutDag(AUTHOR, chain(3, 10), []);
    expect(layout.nodes).to.have.length(3);
    expect(layout.edges).to.have.length(2);
    expect(layout.edges.some((edge) => edge.to === "cid-9")).to.equal(false);
  });

  it("draws each edge between the coordinates of its two nodes", () => {
    const layout = layoutDag(AUTHOR, chain(3), []);
    for (const edge of layout.edges) {
      const from = layout.nodes.find((node) => node.cid === edge.from);
      const to = layout.nodes.find((node) => node.cid === edge.to);
      expect([edge.x1, edge.y1, edge.x2, edge.y2]).to.deep.equal([from?.x, from?.y, to?.x, to?.y]);
    }
  });

  it("lays seqs out left to right and wraps to a new row after perRow seqs", () => {
    const layout = layoutDag(AUTHOR, chain(5), [], { perRow: 2, dx: 10, dy: 100, margin: 0 });
    expect(layout.nodes.map((node) => [node.x, node.y])).to.deep.equal([[0, 0], [10, 0], [0, 100], [10, 100], [0, 200]]);
    expect(layout.width).to.equal(10);
    expect(layout.height).to.equal(200);
  });

  it("gives two nodes at one seq (a fork) separate lanes of the same column", () => {
    const nodes = [...chain(2), { seq: 1, cid: "cid-1-fork", prev: ["cid-0"], ts: 0, kind: "message", label: "" }];
    const layout = layoutDag(AUTHOR, nodes, [], { laneDy: 20, margin: 0 });
    const [a, b] = layout.nodes.filter((node) => node.seq === 1);
    expect(a?.x).to.equal(b?.x);
    expect(Math.abs((a?.y ?? 0) - (b?.y ?? 0))).to.equal(20);
    expect(layout.edges).to.have.length(2);
  });

  it("marks each node with the first flushed round whose cut covers it, and none beyond the last cut", () => {
    const layout = layoutDag(AUTHOR, chain(6), [cut(3, { [AUTHOR]: 4 }), cut(2, { [AUTHOR]: 1 })]);
    expect(layout.nodes.map((node) => node.coveredBy)).to.deep.equal([2, 2, 3, 3, 3, null]);
  });

  it("marks the node a cut ends at with that cut's round", () => {
    const layout = layoutDag(AUTHOR, chain(4), [cut(7, { [AUTHOR]: 2, [OTHER]: 0 }), cut(8, { [AUTHOR]: 2 })]);
    expect(layout.nodes.map((node) => node.cutOf)).to.deep.equal([[], [], [7, 8], []]);
  });

  it("ignores the cut heads of other authors", () => {
    expect(coveringRound(AUTHOR, 0, [cut(5, { [OTHER]: 9 })])).to.equal(null);
  });

  it("keeps each node's entry type for the page to tell them apart", () => {
    const layout = layoutDag(AUTHOR, [...chain(1, 0, "job"), ...chain(1, 1, "proposal")], []);
    expect(layout.nodes.map((node) => node.kind)).to.deep.equal(["job", "proposal"]);
  });
});

describe("explorer layout: the rounds timeline", () => {
  const round = (n: number, latencyMs: number | null): TimelineRound => ({ round: n, latencyMs, flushedAt: latencyMs === null ? null : 5_000 + n, block: 10 + n, txHash: `0x${n}` });

  it("puts one point per flushed round, the lowest round at the left edge and the highest at the right", () => {
    const timeline = layoutTimeline([round(3, 100), round(1, 50), round(2, 200)], 400, 200);
    expect(timeline.points.map((point) => point.round)).to.deep.equal([1, 2, 3]);
    expect(timeline.points[0]?.x).to.equal(timeline.plot.left);
    expect(timeline.points[2]?.x).to.equal(timeline.plot.right);
    expect(timeline.points[1]?.x).to.equal((timeline.plot.left + timeline.plot.right) / 2);
  });

  it("scales latency from 0 at the bottom to the highest tick at the top", () => {
    const timeline = layoutTimeline([round(1, 0), round(2, 400)], 400, 200);
    expect(timeline.points[0]?.y).to.equal(timeline.plot.bottom);
    expect(timeline.points[1]?.y).to.equal(timeline.plot.top);
    expect(timeline.yTicks.map((tick) => tick.value)).to.deep.equal([0, 100, 200, 300, 400]);
  });

  it("rounds the top of the latency axis up to a whole tick", () => {
    const timeline = layoutTimeline([round(1, 730)], 400, 200);
    expect(timeline.yTicks.at(-1)?.value).to.equal(800);
    expect(timeline.points[0]?.y).to.be.greaterThan(timeline.plot.top);
  });

  it("sets a round without a measured latency on the baseline", () => {
    const timeline = layoutTimeline([round(1, 300), round(2, null)], 400, 200);
    expect(timeline.points[1]?.y).to.equal(timeline.plot.bottom);
    expect(timeline.points[1]?.latencyMs).to.equal(null);
  });

  it("centres a single round and labels its tick", () => {
    const timeline = layoutTimeline([round(4, 120)], 400, 200);
    expect(timeline.points[0]?.x).to.equal((timeline.plot.left + timeline.plot.right) / 2);
    expect(timeline.xTicks.map((tick) => tick.value)).to.deep.equal([4]);
  });

  it("draws no point when no round was flushed", () => {
    expect(layoutTimeline([]).points).to.deep.equal([]);
  });

  it("picks tick steps of 1, 2 or 5 times a power of ten", () => {
    expect([niceStep(7, 8), niceStep(40, 8), niceStep(730, 4), niceStep(1_900, 4)]).to.deep.equal([1, 5, 200, 500]);
  });
});
