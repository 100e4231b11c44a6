// The chat page: which member it speaks for (/api/member), the app's messages as feed.js follows
// them (final ones with their round, tentative ones greyed), and the input box (PostMessage).

import { openFeed } from "./feed.js";
import { call } from "./rpc.js";

const STATE_TEXT = {
  connecting: "connecting…",
  live: "live",
  "catching-up": "catching up…",
  "member-offline": "member offline",
  "server-offline": "chat server offline",
};

const $ = (id) => document.getElementById(id);
const short = (address) => `${address.slice(0, 8)}…${address.slice(-4)}`;
/** The chat text of a payload `{ message: { txt } }`; null for anything else. */
const textOf = (payload) => (typeof payload?.message?.txt === "string" ? payload.message.txt : null);

function row(item, me) {
  const li = document.createElement("li");
  li.dataset.cid = item.cid;
  li.dataset.status = item.status;
  li.dataset.author = item.author;
  li.className = `${item.status}${item.author.toLowerCase() === me ? " mine" : ""}`;
  const round = document.createElement("span");
  round.className = "round";
  if (item.status === "final") round.textContent = `round ${item.round}`;
  const author = document.createElement("code");
  author.className = "author";
  author.title = item.author;
  author.textContent = item.author.toLowerCase() === me ? "you" : short(item.author);
  const txt = document.createElement("span");
  txt.className = "txt";
  const text = textOf(item.payload);
  txt.textContent = text ?? "(not a chat message)";
  li.append(round, author, txt);
  return li;
}

async function main() {
  const member = await (await fetch("/api/member")).json();
  const me = member.address.toLowerCase();
  $("name").textContent = `· ${member.name}`;
  $("me").textContent = member.address;
  $("ring").textContent = short(member.ring);
  $("ring").title = member.ring;
  document.title = `Rings chat · ${member.name}`;

  const list = $("messages");
  let shown = "";
  const feed = openFeed({
    app: member.app,
    onChange({ final, tentative }) {
      const items = [...final, ...tentative];
      const key = items.map((item) => `${item.cid}:${item.status}`).join();
      if (key === shown) return;
      shown = key;
      const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
      list.replaceChildren(...items.map((item) => row(item, me)));
      $("empty").hidden = items.length > 0;
      if (atBottom) window.scrollTo(0, document.body.scrollHeight);
    },
    onState(state, detail) {
      $("state").dataset.state = state;
      $("state").textContent = STATE_TEXT[state] ?? state;
      $("state").title = detail;
    },
  });

  $("compose").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("text");
    const txt = input.value.trim();
    if (txt === "") return;
    const payload = { message: { txt } };
    input.disabled = true;
    try {
      const posted = await call("PostMessage", { app: member.app, type: "text", payload });
      feed.addTentative({ ...posted, app: member.app, type: "text", payload, status: "tentative", round: null });
      input.value = "";
      $("error").textContent = "";
    } catch (error) {
      $("error").textContent = `not sent: ${error.message}`;
    } finally {
      input.disabled = false;
      input.focus();
    }
  });
}

main().catch((error) => {
  $("error").textContent = `the page could not start: ${error.message}`;
});
