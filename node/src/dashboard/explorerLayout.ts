/**
 * The explorer's pictures laid out on the server, as plain coordinates the page draws in SVG:
 * a member's log as a DAG (a node per log node, an edge per prev link inside the window, the
 * nodes a flushed cut covers marked with the round that first covered them) and the rounds
 * timeline (round number against latency). Pure functions of their inputs.
 */

/** A log node as the explorer shows it (explorerData.ts makes them from a member's log). */
export interface LogNodeView {
  seq: number;
  cid: string;
  prev: string[];
  ts: number;
  /** The entry type: job, shard, proposal, message, encrypted, or the payload's own `type`. */
  kind: string;
  /** A short text for the node's tooltip (the message text, the proposal's round, the job). */
  label: string;
}

/** A flushed round's cut: for each author the highest seq it covers. */
export interface FlushedCut {
  round: number;
  heads: ReadonlyMap<string, number>;
}

export interface PlacedNode extends LogNodeView {
  x: number;
  y: number;
  /** The first flushed round whose cut covers the node (null: not covered by any known cut). */
  coveredBy: number | null;
  /** The rounds whose cut ends exactly at this node (the node was the author's head in them). */
  cutOf: number[];
}

export interface DagEdge {
  from: string;
  to: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface DagLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: DagEdge[];
}

export interface DagOptions {
  perRow?: number;
  dx?: number;
  dy?: number;
  laneDy?: number;
  margin?: number;
}

/** For each seq of `author`'s nodes, the first (lowest) flushed round whose cut covers it. */
export function coveringRound(author: string, seq: number, cuts: readonly FlushedCut[]): number | null {
  let first: number | null = null;
  for (const cut of cuts) {
    const head = cut.heads.get(author);
    if (head !== undefined && head >= seq && (first === null || cut.round < first)) first = cut.round;
  }
  return first;
}

/**
 * Lays `nodes` of `author` out by seq, left to right, wrapping every `perRow` seqs (a snake would
 * cross edges less, but rows read like text); two nodes at one seq (a fork) take separate lanes.
 */
export function layoutDag(author: string, nodes: readonly LogNodeView[], cuts: readonly FlushedCut[], options: DagOptions = {}): DagLayout {
  const perRow = options.perRow ?? 16;
  const dx = options.dx ?? 52;
  const laneDy = options.laneDy ?? 26;
  const margin = options.margin ?? 24;
  const sorted = [...nodes].sort((a, b) => a.seq - b.seq || a.cid.localeCompare(b.cid));
  const seqs = [...new Set(sorted.map((node) => node.seq))];
  const column = new Map(seqs.map((seq, index) => [seq, index]));
  const lanes = Math.max(1, ...seqs.map((seq) => sorted.filter((node) => node.seq === seq).length));
  const dy = options.dy ?? Math.max(64, lanes * laneDy + 38);
  const laneOf = new Map<string, number>();
  const used = new Map<number, number>();
  for (const node of sorted) {
    const lane = used.get(node.seq) ?? 0;
    used.set(node.seq, lane + 1);
    laneOf.set(node.cid, lane);
  }
  const placed: PlacedNode[] = sorted.map((node) => {
    const index = column.get(node.seq) ?? 0;
    return {
      ...node,
      x: margin + (index % perRow) * dx,
      y: margin + Math.floor(index / perRow) * dy + (laneOf.get(node.cid) ?? 0) * laneDy,
      coveredBy: coveringRound(author, node.seq, cuts),
      cutOf: cuts.filter((cut) => cut.heads.get(author) === node.seq).map((cut) => cut.round).sort((a, b) => a - b),
    };
  });
  const byCid = new Map(placed.map((node) => [node.cid, node]));
  const edges: DagEdge[] = [];
  for (const node of placed) {
    for (const prev of node.prev) {
      const target = byCid.get(prev);
      if (target !== undefined) edges.push({ from: node.cid, to: prev, x1: node.x, y1: node.y, x2: target.x, y2: target.y });
    }
  }
  const columns = Math.min(perRow, seqs.length);
  const rows = Math.ceil(seqs.length / perRow);
  return { width: 2 * margin + Math.max(0, columns - 1) * dx, height: 2 * margin + Math.max(0, rows - 1) * dy + (lanes - 1) * laneDy, nodes: placed, edges };
}

/** A flushed round on the timeline: its latency (proposal to flush mined) where a member measured it. */
export interface TimelineRound {
  round: number;
  latencyMs: number | null;
  /** When the flush was mined (epoch ms), where known. */
  flushedAt: number | null;
  block: number;
  txHash: string;
}

export interface TimelinePoint extends TimelineRound {
  x: number;
  y: number;
}

export interface Timeline {
  width: number;
  height: number;
  /** The plot area inside the axes. */
  plot: { left: number; top: number; right: number; bottom: number };
  points: TimelinePoint[];
  xTicks: { value: number; x: number }[];
  yTicks: { value: number; y: number }[];
}

/** A round number for the axis: at most `count` ticks at whole steps of 1, 2, 5, 10, 20, 50 … */
export function niceStep(span: number, count: number): number {
  const raw = Math.max(span, 1) / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= raw) return factor * power;
  return 10 * power;
}

/**
 * Scales the rounds to a `width` × `height` plot: x by round number (the lowest at the left edge),
 * y by latency from 0 at the bottom to the highest (rounded up to a tick); a round without a
 * measured latency sits on the baseline.
 */
export function layoutTimeline(rounds: readonly TimelineRound[], width = 720, height = 220): Timeline {
  const plot = { left: 56, top: 14, right: width - 16, bottom: height - 34 };
  const sorted = [...rounds].sort((a, b) => a.round - b.round);
  const first = sorted[0]?.round ?? 0;
  const last = sorted.at(-1)?.round ?? first;
  const span = Math.max(1, last - first);
  const maxLatency = Math.max(0, ...sorted.map((round) => round.latencyMs ?? 0));
  const yStep = niceStep(maxLatency, 4);
  const yMax = Math.max(yStep, Math.ceil(maxLatency / yStep) * yStep);
  const xOf = (round: number) => (sorted.length <= 1 ? (plot.left + plot.right) / 2 : plot.left + ((round - first) / span) * (plot.right - plot.left));
  const yOf = (latency: number) => plot.bottom - (latency / yMax) * (plot.bottom - plot.top);
  const points = sorted.map((round) => ({ ...round, x: xOf(round.round), y: yOf(round.latencyMs ?? 0) }));
  const xStep = Math.max(1, niceStep(span, 8));
  const xTicks: Timeline["xTicks"] = [];
  for (let value = Math.ceil(first / xStep) * xStep; value <= last; value += xStep) xTicks.push({ value, x: xOf(value) });
  if (sorted.length === 1) xTicks.splice(0, xTicks.length, { value: first, x: xOf(first) });
  const yTicks: Timeline["yTicks"] = [];
  for (let value = 0; value <= yMax; value += yStep) yTicks.push({ value, y: yOf(value) });
  return { width, height, plot, points, xTicks, yTicks };
}
