/**
 * The explorer page (`/explorer`): plain HTML, CSS and the script of explorerScript.ts, which polls
 * `/api/explorer` and draws what it gets: per member its log as an SVG DAG, the rounds timeline,
 * the messages of one app in the agreed order and the replica nodes' follow progress.
 */
import { EXPLORER_SCRIPT } from "./explorerScript.js";
import { BASE_STYLE } from "./pageStyle.js";

export const EXPLORER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Rings explorer</title>
<style>
${BASE_STYLE}
  a { color: #2f5fd0; }
  .error { color: #b42318; }
  .scroll { overflow-x: auto; background: #fff; border: 1px solid #e3e6eb; margin-bottom: .6rem; }
  svg text { font: 10px ui-monospace, monospace; }
  line.prev { stroke: #9aa5b8; stroke-width: 1.2; }
  .node .shape { stroke: #6b778c; stroke-width: 1.5; stroke-dasharray: 3 2; }
  .node.covered .shape { stroke: #1f8a3b; stroke-dasharray: none; }
  .node.cut-head .shape { stroke: #0b5d22; stroke-width: 3.5; }
  .node text.seq { text-anchor: middle; dominant-baseline: central; fill: #1d2330; }
  .node text.cut-mark { text-anchor: middle; fill: #0b5d22; font-weight: 700; }
  .kind-proposal .shape { fill: #ffe7b3; } .kind-job .shape { fill: #d9e4ff; } .kind-shard .shape { fill: #e6f4ff; }
  .kind-message .shape { fill: #f4dcff; } .kind-encrypted .shape { fill: #e5e5e5; } .kind-other .shape { fill: #ffffff; }
  .legend span { display: inline-block; margin-right: 1rem; }
  .swatch { display: inline-block; width: .8rem; height: .8rem; border: 1px solid #6b778c; vertical-align: middle; margin-right: .25rem; }
  .axis { stroke: #41506b; } .grid { stroke: #e3e6eb; } polyline.latency { fill: none; stroke: #2f5fd0; stroke-width: 1.5; }
  circle.round-point { fill: #2f5fd0; } circle.round-point.unmeasured { fill: #fff; stroke: #2f5fd0; }
  ol.messages { background: #fff; border: 1px solid #e3e6eb; padding: .5rem 2.5rem; }
  li.msg.tentative { color: #9aa5b8; font-style: italic; }
  .bar { display: inline-block; height: .6rem; background: #1f8a3b; vertical-align: middle; }
  .track { display: inline-block; width: 8rem; height: .6rem; background: #e3e6eb; vertical-align: middle; margin-right: .4rem; }
</style>
</head>
<body>
<h1>Rings explorer</h1>
<div><a href="/">dashboard</a> · <span id="status" class="muted">loading…</span></div>
<h2>Logs of the members</h2>
<p class="legend muted">
  <span><i class="swatch" style="background:#ffe7b3"></i>proposal (diamond)</span><span><i class="swatch" style="background:#d9e4ff"></i>job (square)</span>
  <span><i class="swatch" style="background:#e6f4ff"></i>shard (rounded)</span><span><i class="swatch" style="background:#f4dcff"></i>message (circle)</span>
  <span><i class="swatch" style="background:#e5e5e5"></i>encrypted</span><span>solid green outline: covered by a flushed cut (dashed: not yet); <b>rN</b> above a thick outline: the head of the member in round N's cut</span>
</p>
<svg width="0" height="0" style="position:absolute"><defs><marker id="arrow" viewBox="0 0 10 10" refX="19" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#9aa5b8"/></marker></defs></svg>
<section id="logs"></section>
<h2>Rounds</h2>
<p class="muted">latency: from the relayer starting its proposal to its flush being mined, as the relayer measured it (hollow: not measured by a running member)</p>
<section id="timeline"></section>
<h2>Messages in the agreed order</h2>
<p>app <select id="app"></select> <input id="app-input" placeholder="or type an app" size="20"> <span id="final-round" class="muted"></span></p>
<section id="messages"></section>
<h2>Replica registrations</h2>
<section id="replicas"></section>
<script>
${EXPLORER_SCRIPT}
</script>
</body>
</html>
`;
