// The live messages of one app, as the page sees them: the final ones in the agreed order, then
// the tentative ones. It follows them with SubscribeMessages over a WebSocket to its own chat
// server's /ws (bridged to the member's WebSocket: wsProxy.ts), and after a disconnect it
// subscribes again from the cursor of the last final message it holds (the member sends what
// came after it, each final message once, and the tentative ones again).

const UNKNOWN_CURSOR = -32014;
const NODE_UNAVAILABLE = -32012;
/** wsProxy.ts MEMBER_UNAVAILABLE_CLOSE: the chat server is up, its member is not. */
const MEMBER_UNAVAILABLE_CLOSE = 4012;

const lower = (address) => String(address).toLowerCase();
const byAuthorSeq = (a, b) => (lower(a.author) < lower(b.author) ? -1 : lower(a.author) > lower(b.author) ? 1 : a.seq - b.seq);

/**
 * Follows `app`: `onChange({ final, tentative })` whenever the lists change (at most once a
 * task), `onState(state, detail)` with state "connecting" | "live" | "catching-up" (the member does
 * not hold the cursor's round yet, e.g. just restarted) | "member-offline" | "server-offline". At
 * most `maxFinal` final messages are kept (the oldest dropped first); a lost socket is opened
 * again after `retryMs`.
 */
export function openFeed({ app, maxFinal = 2_000, retryMs = 500, onChange, onState }) {
  const final = [];
  const finalCids = new Set();
  let tentative = new Map();
  // Posted here and not yet heard of on the feed: kept shown (durable in the member's log).
  const posted = new Map();
  let cursor = null;
  let closed = false;
  let socket = null;
  let state = null;
  let nextId = 1;
  let scheduled = false;

  const setState = (next, detail = "") => {
    if (next === state) return;
    state = next;
    onState(next, detail);
  };
  const changed = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      const shown = [...tentative.values()];
      for (const item of posted.values()) if (!tentative.has(item.cid)) shown.push(item);
      onChange({ final: [...final], tentative: shown.sort(byAuthorSeq) });
    }, 0);
  };

  function receive({ state: kind, cursor: at, message }) {
    const cid = message.cid;
    posted.delete(cid);
    if (kind === "final") {
      tentative.delete(cid);
      if (finalCids.has(cid)) return;
      final.push({ ...message, status: "final" });
      finalCids.add(cid);
      if (final.length > maxFinal) for (const dropped of final.splice(0, final.length - maxFinal)) finalCids.delete(dropped.cid);
      if (at !== null) cursor = at;
    } else if (kind === "tentative") {
      if (!finalCids.has(cid)) tentative.set(cid, { ...message, status: "tentative", round: null });
    } else if (kind === "dropped") {
      tentative.delete(cid);
    }
    changed();
  }

  function connect() {
    if (closed) return;
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    socket = ws;
    const subscribeId = nextId++;
    ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: "2.0", id: subscribeId, method: "SubscribeMessages", params: cursor === null ? { app } : { app, after: cursor } }));
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.id === subscribeId) {
        if (frame.error !== undefined) {
          if (frame.error.code === UNKNOWN_CURSOR) setState("catching-up", frame.error.message);
          else if (frame.error.code === NODE_UNAVAILABLE) setState("member-offline", frame.error.message);
          else setState("server-offline", frame.error.message);
          ws.close();
          return;
        }
        // A new subscription sends every tentative message again: the old list is replaced by them.
        tentative = new Map();
        changed();
        setState("live");
        return;
      }
      if (frame.method === "message" && frame.params !== undefined) receive(frame.params);
    };
    ws.onclose = (event) => {
      if (socket === ws) socket = null;
      if (closed) return;
      if (event.code === MEMBER_UNAVAILABLE_CLOSE) setState("member-offline", event.reason);
      else if (state !== "catching-up") setState("server-offline", event.reason || `the socket closed (${event.code})`);
      setTimeout(connect, retryMs);
    };
  }
  setState("connecting");
  connect();

  return {
    /** Shows a message just posted (durable in the member's log: tentative) before the feed tells of it. */
    addTentative(item) {
      if (tentative.has(item.cid) || finalCids.has(item.cid)) return;
      posted.set(item.cid, item);
      changed();
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}
