/**
 * The explorer page's script (plain browser JavaScript, no framework): polls `/api/explorer`
 * every 3 s and draws the layouts the server made (explorerLayout.ts) as SVG; the chosen app is
 * kept in the page's address (`?app=`). Written without backticks: it sits in a template literal.
 */
export const EXPLORER_SCRIPT = String.raw`
const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const short = (value, n = 6) => { const s = String(value ?? ""); return s.length > 2 * n + 1 ? s.slice(0, n + 2) + "…" + s.slice(-n) : s; };
const code = (value, n) => value ? '<code title="' + esc(value) + '">' + esc(short(value, n)) + "</code>" : '<span class="muted">—</span>';
const table = (headers, rows) => rows.length === 0 ? '<p class="muted">none yet</p>' :
  "<table><tr>" + headers.map((h) => "<th>" + esc(h) + "</th>").join("") + "</tr>" + rows.map((r) => "<tr>" + r.map((c) => "<td>" + c + "</td>").join("") + "</tr>").join("") + "</table>";
const KINDS = ["proposal", "job", "shard", "message", "encrypted"];
const time = (ms) => ms === null || ms === undefined ? "?" : new Date(ms).toLocaleTimeString([], { hour12: false }) + "." + String(ms % 1000).padStart(3, "0");

function shape(kind) {
  if (kind === "proposal") return '<polygon class="shape" points="0,-13 13,0 0,13 -13,0"/>';
  if (kind === "job") return '<rect class="shape" x="-11" y="-11" width="22" height="22"/>';
  if (kind === "shard") return '<rect class="shape" x="-12" y="-10" width="24" height="20" rx="7"/>';
  return '<circle class="shape" r="12"/>';
}

function dagSvg(member) {
  const dag = member.dag;
  const edges = dag.edges.map((e) => '<line class="prev" data-from="' + esc(e.from) + '" data-to="' + esc(e.to) + '" x1="' + e.x1 + '" y1="' + e.y1 + '" x2="' + e.x2 + '" y2="' + e.y2 + '" marker-end="url(#arrow)"/>').join("");
  const nodes = dag.nodes.map((n) => {
    const kind = KINDS.includes(n.kind) ? n.kind : "other";
    const classes = ["node", "kind-" + kind, n.coveredBy === null ? "" : "covered", n.cutOf.length > 0 ? "cut-head" : ""].filter(Boolean).join(" ");
    const title = "seq " + n.seq + " · " + n.kind + (n.label ? " · " + n.label : "") + "\n" + n.cid + "\n" + (n.coveredBy === null ? "not covered by a flushed cut yet" : "final in round " + n.coveredBy) + "\n" + time(n.ts);
    const mark = n.cutOf.length > 0 ? '<text class="cut-mark" y="-17">r' + n.cutOf.join(",r") + "</text>" : "";
    return '<g class="' + classes + '" data-seq="' + n.seq + '" data-cid="' + esc(n.cid) + '" data-kind="' + esc(n.kind) + '" data-covered-by="' + (n.coveredBy ?? "") + '" transform="translate(' + n.x + "," + n.y + ')"><title>' + esc(title) + "</title>" + shape(kind) + '<text class="seq">' + n.seq + "</text>" + mark + "</g>";
  }).join("");
  return '<svg class="dag" data-member="' + esc(member.address) + '" width="' + dag.width + '" height="' + dag.height + '" viewBox="0 0 ' + dag.width + " " + dag.height + '">' + edges + nodes + "</svg>";
}

function renderLogs(state) {
  document.getElementById("logs").innerHTML = state.members.map((m) => {
    const shown = m.dag.nodes.length;
    const head = "<h3>" + esc(m.name) + " " + code(m.address, 8) + ' <span class="muted">' + (shown === 0 ? "no nodes" : "seq " + m.from + " … " + (m.from + shown - 1) + " of " + m.length) + "</span></h3>";
    const error = m.error ? '<p class="error">' + esc(m.error) + "</p>" : "";
    return head + error + (shown === 0 ? "" : '<div class="scroll">' + dagSvg(m) + "</div>");
  }).join("");
}

function renderTimeline(state) {
  const t = state.timeline;
  const p = t.plot;
  const grid = t.yTicks.map((tick) => '<line class="grid" x1="' + p.left + '" x2="' + p.right + '" y1="' + tick.y + '" y2="' + tick.y + '"/><text x="' + (p.left - 6) + '" y="' + (tick.y + 3) + '" text-anchor="end">' + tick.value + "</text>").join("");
  const xTicks = t.xTicks.map((tick) => '<text x="' + tick.x + '" y="' + (p.bottom + 14) + '" text-anchor="middle">' + tick.value + "</text>").join("");
  const axes = '<line class="axis" x1="' + p.left + '" x2="' + p.left + '" y1="' + p.top + '" y2="' + p.bottom + '"/><line class="axis" x1="' + p.left + '" x2="' + p.right + '" y1="' + p.bottom + '" y2="' + p.bottom + '"/>' +
    '<text x="' + ((p.left + p.right) / 2) + '" y="' + (t.height - 4) + '" text-anchor="middle">round</text><text x="12" y="' + ((p.top + p.bottom) / 2) + '" transform="rotate(-90 12 ' + ((p.top + p.bottom) / 2) + ')" text-anchor="middle">latency (ms)</text>';
  const measured = t.points.filter((q) => q.latencyMs !== null);
  const line = measured.length > 1 ? '<polyline class="latency" points="' + measured.map((q) => q.x + "," + q.y).join(" ") + '"/>' : "";
  const points = t.points.map((q) => '<circle class="round-point' + (q.latencyMs === null ? " unmeasured" : "") + '" data-round="' + q.round + '" cx="' + q.x + '" cy="' + q.y + '" r="4.5"><title>round ' + q.round + " · " + (q.latencyMs === null ? "latency not measured" : q.latencyMs + " ms") + " · flushed " + time(q.flushedAt) + " · block " + q.block + "</title></circle>").join("");
  const svg = t.points.length === 0 ? '<p class="muted">no flushed round yet</p>' : '<div class="scroll"><svg id="timeline-svg" width="' + t.width + '" height="' + t.height + '">' + grid + axes + xTicks + line + points + "</svg></div>";
  const rows = t.points.slice().reverse().map((q) => [esc(q.round), q.latencyMs === null ? '<span class="muted">—</span>' : esc(q.latencyMs + " ms"), esc(time(q.flushedAt)), esc(q.block), code(q.txHash, 6)]);
  document.getElementById("timeline").innerHTML = svg + table(["round", "latency", "flushed at", "block", "tx"], rows);
}

function renderMessages(state) {
  const select = document.getElementById("app");
  const apps = state.app !== null && !state.apps.includes(state.app) ? [state.app, ...state.apps] : state.apps;
  select.innerHTML = apps.map((a) => '<option value="' + esc(a) + '"' + (a === state.app ? " selected" : "") + ">" + esc(a) + "</option>").join("");
  document.getElementById("final-round").textContent = state.finalRound === null ? "" : "final up to round " + state.finalRound;
  const error = state.messagesError ? '<p class="error">' + esc(state.messagesError) + "</p>" : "";
  const items = state.messages.map((m) => '<li class="msg ' + esc(m.status) + '" data-cid="' + esc(m.cid) + '" data-author="' + esc(m.author) + '" data-seq="' + m.seq + '" data-round="' + (m.round ?? "") + '">' +
    (m.status === "final" ? "round " + esc(m.round) : "tentative") + " · " + code(m.author, 4) + " #" + esc(m.seq) + (m.type ? " · " + esc(m.type) : "") + " · <code>" + esc(short(JSON.stringify(m.payload), 60)) + "</code></li>").join("");
  document.getElementById("messages").innerHTML = error + (state.app === null ? '<p class="muted">no messages in the logs yet</p>' : state.messages.length === 0 ? '<p class="muted">none yet</p>' : '<ol class="messages">' + items + "</ol>");
}

function renderReplicas(state) {
  document.getElementById("replicas").innerHTML = state.registrations.length === 0 ? '<p class="muted">none yet</p>' : state.registrations.map((g) => {
    const rows = g.follow.map((f) => {
      const ratio = f.onChainSeq === null || f.heldSeq === null ? (f.caughtUp ? 1 : 0) : Math.min(1, (f.heldSeq + 1) / (f.onChainSeq + 1));
      const bar = '<span class="track"><span class="bar" style="width:' + Math.round(ratio * 100) + '%"></span></span>';
      return [esc(f.replica), code(f.member, 6), esc(f.heldSeq ?? "—"), esc(f.onChainSeq ?? (f.onChainHead ? "?" : "—")), bar + (f.caughtUp ? "caught up" : "following"), f.error ? '<span class="error">' + esc(f.error) + "</span>" : ""];
    });
    return '<h3 data-client-ring="' + esc(g.clientRing) + '">client ring ' + code(g.clientRing, 8) + ' <span class="muted">on replica ring ' + esc(short(g.replicaRing, 6)) + " · registered by " + esc(short(g.registrant, 4)) + "</span></h3>" +
      table(["replica node", "member", "held seq", "on-chain seq", "progress", "error"], rows);
  }).join("");
}

let last = "";
const params = new URLSearchParams(location.search);
async function refresh() {
  try {
    const query = params.get("app") ? "?app=" + encodeURIComponent(params.get("app")) : "";
    const response = await fetch("/api/explorer" + query, { cache: "no-store" });
    if (!response.ok) throw new Error(await response.text());
    const text = await response.text();
    const state = JSON.parse(text);
    document.getElementById("status").textContent = "ring " + state.ring + " · read " + new Date(state.takenAt).toLocaleTimeString();
    const content = JSON.stringify({ ...state, takenAt: null });
    if (content !== last) {
      last = content;
      renderLogs(state); renderTimeline(state); renderMessages(state); renderReplicas(state);
      document.body.dataset.takenAt = state.takenAt;
    }
  } catch (error) {
    document.getElementById("status").textContent = "could not read the explorer: " + error.message;
  } finally {
    setTimeout(refresh, 3000);
  }
}
const choose = (app) => { if (!app) return; params.set("app", app); history.replaceState(null, "", "?" + params); last = ""; };
document.getElementById("app").addEventListener("change", (event) => choose(event.target.value));
document.getElementById("app-input").addEventListener("change", (event) => choose(event.target.value.trim()));
refresh();
`;
