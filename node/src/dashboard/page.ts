/**
 * The dashboard page: plain HTML and a small script that renders the state pushed on
 * `/api/events` (rings, members, rounds, replica registrations, relayed heads, node processes).
 */
import { BASE_STYLE } from "./pageStyle.js";

export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Rings dashboard</title>
<style>
${BASE_STYLE}
  .pill { display: inline-block; padding: 0 .45rem; border-radius: .6rem; background: #e3ecff; margin: 0 .15rem .15rem 0; }
  .bad { background: #ffe1e1; }
  .ok { background: #dff5e3; }
  #status { font-size: .85rem; }
</style>
</head>
<body>
<h1>Rings</h1>
<p><a href="/explorer">explorer</a>: the members' logs as DAGs, the rounds timeline, messages in the agreed order, replica follow progress</p>
<div id="status" class="muted">connecting…</div>
<section id="nodes"></section>
<section id="jobs"></section>
<section id="rings"></section>
<script>
const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const short = (value, n = 10) => { const s = String(value ?? ""); return s.length > 2 * n + 1 ? s.slice(0, n + 2) + "…" + s.slice(-n) : s; };
const code = (value, n) => value ? '<code title="' + esc(value) + '">' + esc(short(value, n)) + "</code>" : '<span class="muted">—</span>';
const table = (headers, rows) => rows.length === 0 ? '<p class="muted">none yet</p>' :
  "<table><tr>" + headers.map((h) => "<th>" + esc(h) + "</th>").join("") + "</tr>" + rows.map((r) => "<tr>" + r.map((c) => "<td>" + c + "</td>").join("") + "</tr>").join("") + "</table>";

function renderRing(ring) {
  const members = table(["member", "PeerId", "multiaddress", "log head", "agreements", "dissents"], ring.members.map((m) => [
    code(m.address), code(m.peerId, 8), code(m.multiaddr, 16), code(m.logHead, 8), esc(m.agreements), esc(m.dissents)]));
  const rounds = table(["round", "ring head", "votes", "dissents", "outputs (pin → token)", "relayer", "tx", "gas"], ring.rounds.map((r) => [
    esc(r.round), code(r.ringNodeHead, 8), r.agreed.map((a) => '<span class="pill ok">' + esc(short(a, 4)) + "</span>").join(""),
    r.dissented.map((a) => '<span class="pill bad">' + esc(short(a, 4)) + "</span>").join("") || '<span class="muted">—</span>',
    r.outputs.map((o) => esc(o.pin) + " → " + code(o.tokenId, 6)).join("<br>") || '<span class="muted">—</span>',
    code(r.relayer, 4), code(r.txHash, 6), esc(r.gasUsed)]));
  const registrations = ring.kind === "replica" ? "<h3>Replica registrations</h3>" + table(["client ring", "registrant", "fee (wei)", "tx"], ring.registrations.map((g) => [code(g.clientRing), code(g.registrant), esc(g.fee), code(g.txHash, 6)])) : "";
  const relayed = "<h3>FlushToRing (heads relayed through the forwarder)</h3>" + table(["member", "new log head", "relayed by", "tx"], ring.relayedHeads.map((h) => [code(h.member), code(h.head, 8), code(h.relayer), code(h.txHash, 6)]));
  const queued = ring.queuedJobs.length === 0 ? "" : "<h3>Jobs queued on chain</h3>" + table(["#", "job (spec)", "submitter", "tx"], ring.queuedJobs.map((q) => [esc(q.sequence), code(q.job, 8), code(q.submitter), code(q.txHash, 6)]));
  return '<h2 data-ring="' + esc(ring.address) + '">' + (ring.kind === "replica" ? "Replica ring " : "Ring ") + code(ring.address, 20) + "</h2>" +
    '<p>round <b class="round">' + esc(ring.round) + "</b> · head " + code(ring.ringNodeHead, 8) + " · " + esc(ring.members.length) + " members, majority " + esc(ring.requiredVotes) + " · engine " + code(ring.owner, 6) + "</p>" +
    "<h3>Members</h3>" + members + "<h3>Rounds</h3>" + rounds + queued + registrations + relayed;
}

function render(state) {
  const chain = state.chain ?? state;
  document.getElementById("status").textContent = "chain " + chain.chainId + " · block " + chain.blockNumber + " · updated " + new Date(chain.takenAt).toLocaleTimeString();
  const nodes = state.nodes ?? [];
  document.getElementById("nodes").innerHTML = nodes.length === 0 ? "" : "<h2>Node processes</h2>" + table(["node", "role", "address", "pid", "state", "listen"], nodes.map((n) => [
    esc(n.name), esc(n.role), code(n.address), esc(n.pid ?? ""), n.alive ? '<span class="pill ok">running</span>' : '<span class="pill bad">stopped</span>', code(n.listen, 20)]));
  const jobs = state.jobs ?? [];
  document.getElementById("jobs").innerHTML = jobs.length === 0 ? "" : "<h2>Jobs</h2>" + table(["job", "status", "round", "result"], jobs.map((j) => [code(j.id, 8), esc(j.status), esc(j.round ?? ""), esc(short(j.result ?? "", 60))]));
  document.getElementById("rings").innerHTML = chain.rings.map(renderRing).join("");
}

const source = new EventSource("/api/events");
source.onmessage = (event) => render(JSON.parse(event.data));
source.onerror = () => { document.getElementById("status").textContent = "disconnected, retrying…"; };
</script>
</body>
</html>
`;
