// The live messages of one app, as the page sees them: the final ones in the agreed order, then
// the tentative ones. Today it polls ReadMessages with the cursor every `intervalMs`; this is the
// one module to switch to SubscribeMessages (same callbacks) once the node serves it.

import { call } from "./rpc.js";

const UNKNOWN_CURSOR = -32014;
const NODE_UNAVAILABLE = -32012;

/**
 * Follows `app`: `onChange({ final, tentative })` whenever the lists change, `onState(state, detail)`
 * with state "connecting" | "live" | "catching-up" (the member does not hold the cursor's round yet,
 * e.g. just restarted) | "member-offline" | "server-offline". At most `maxFinal` final messages are
 * kept (the oldest dropped first); at most `maxPages` pages are read per poll.
 */
export function openFeed({ app, intervalMs = 300, pageSize = 100, maxPages = 20, maxFinal = 2_000, onChange, onState }) {
  const final = [];
  let tentative = [];
  // Posted here and not yet read back: kept shown (a poll already in flight when it was posted misses it).
  const posted = new Map();
  let cursor = null;
  let closed = false;
  let wake = null;
  let state = null;

  const setState = (next, detail = "") => {
    if (next === state) return;
    state = next;
    onState(next, detail);
  };
  const changed = () => onChange({ final: [...final], tentative: [...tentative] });

  async function readNew() {
    let any = false;
    for (let pages = 0; pages < maxPages; pages++) {
      const result = await call("ReadMessages", cursor === null ? { app, limit: pageSize } : { app, after: cursor, limit: pageSize });
      const finals = result.messages.filter((item) => item.status === "final");
      const nowFinal = new Set(finals.map((item) => item.cid));
      final.push(...finals);
      if (final.length > maxFinal) final.splice(0, final.length - maxFinal);
      if (result.cursor !== null) cursor = result.cursor;
      const before = tentative.map((item) => item.cid).join();
      // The tentative ones come only once every final one is given (a short page).
      tentative = finals.length < pageSize ? result.messages.filter((item) => item.status === "tentative") : tentative.filter((item) => !nowFinal.has(item.cid));
      for (const item of result.messages) posted.delete(item.cid);
      for (const item of posted.values()) if (!tentative.some((known) => known.cid === item.cid)) tentative.push(item);
      any ||= finals.length > 0 || tentative.map((item) => item.cid).join() !== before;
      if (finals.length < pageSize) break;
    }
    return any;
  }

  async function run() {
    setState("connecting");
    while (!closed) {
      try {
        if (await readNew()) changed();
        setState("live");
      } catch (error) {
        if (error.code === UNKNOWN_CURSOR) setState("catching-up", error.message);
        else if (error.code === NODE_UNAVAILABLE || error.status === 502) setState("member-offline", error.message);
        else setState("server-offline", error.message);
      }
      await new Promise((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  }
  void run();

  return {
    /** Shows a message just posted (durable in the member's log: tentative) before the next poll. */
    addTentative(item) {
      if (tentative.some((known) => known.cid === item.cid) || final.some((known) => known.cid === item.cid)) return;
      posted.set(item.cid, item);
      tentative = [...tentative, item];
      changed();
    },
    /** Polls now instead of at the next tick. */
    refresh() {
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
  };
}
