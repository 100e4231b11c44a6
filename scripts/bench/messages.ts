/**
 * `npm run bench:messages` — the ring's messages against OrbitDB 4, same work, same machine, same run.
 * Rings: a ring of 4 `ring-node` processes on a `hardhat node`; 4 posters (one per member) post their
 * share of the messages with PostMessage, each awaited before the next, while one subscriber per
 * member (SubscribeMessages over WebSocket) records when every message arrives as tentative and as
 * final. Final order is checked identical at every subscriber.
 * OrbitDB: 4 peers add the same messages to one `events` database at once and replicate them by their
 * own means (scripts/bench/orbitdb/messages.mjs, in its own process on the Helia version it supports).
 * Writes bench-results/messages.json: { messages, finalPerSec, tentativeP50Ms, tentativeP99Ms,
 *   finalP50Ms, finalP99Ms, identicalOrder, orbitdb: { allDeliveredMs, ... }, rings: { allFinalMs,
 *   allTentativeMs }, membersIdleRssMb, membersRssMb } (each member's RSS with the ring up and idle,
 *   before the first message, and once every message is final at every subscriber).
 *
 *   npm run bench:messages [-- --messages 10000] [--skip-orbitdb]
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MessagesClient } from "../../node/src/client/messagesClient.js";
import { startRoundsRing } from "../devnet/roundsRing.js";
import { ensureOrbitdbInstalled, ORBITDB_DIR } from "./orbitdbSide.js";
import { percentile } from "./roundTraces.js";
import { procStats } from "./procStats.js";
import { memberJsonRpcUrl } from "../devnet/jsonRpcUrl.js";

const RESULTS = fileURLToPath(new URL("../../bench-results/messages.json", import.meta.url));
const APP = "bench-chat";
const MEMBERS = 4;
/** How long the started ring is left alone before its idle RSS is read. */
const IDLE_SETTLE_MS = 10_000;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const messages = option("messages", 10_000);
const skipOrbitdb = process.argv.includes("--skip-orbitdb");

/** What one subscriber saw: first tentative and final arrival per message id, and the final order. */
interface Seen {
  tentativeAt: Map<string, number>;
  finalAt: Map<string, number>;
  finalOrder: string[];
}

function idOf(payload: unknown): string | null {
  const id = (payload as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : null;
}

async function benchRings(): Promise<{ allFinalMs: number; allTentativeMs: number; tentative: number[]; final: number[]; identicalOrder: boolean; membersIdleRssMb: Array<number | null>; membersRssMb: Array<number | null> }> {
  const world = await startRoundsRing(MEMBERS, "bench-messages");
  const stop = new AbortController();
  try {
    for (let i = 0; i < MEMBERS; i++) await world.start(i);
    const membersRss = async () => Promise.all(world.members.map(async (m) => (await procStats(m.node?.child.pid))?.rssMb ?? null));
    // Idle: the ring up (connections made, the sandbox warm) and no message yet.
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const membersIdleRssMb = await membersRss();
    const clients = await Promise.all(Array.from({ length: MEMBERS }, async (_, i) => new MessagesClient(await memberJsonRpcUrl(world, i), { timeoutMs: 30_000, maxQueued: messages * 4 })));
    const seen: Seen[] = clients.map(() => ({ tentativeAt: new Map(), finalAt: new Map(), finalOrder: [] }));
    let allTentative: () => void = () => undefined;
    let allFinal: () => void = () => undefined;
    const tentativeDone = new Promise<void>((resolve) => (allTentative = resolve));
    const finalDone = new Promise<void>((resolve) => (allFinal = resolve));
    const complete = () => {
      if (seen.every((s) => s.tentativeAt.size >= messages)) allTentative();
      if (seen.every((s) => s.finalAt.size >= messages)) allFinal();
    };
    const subscribed = clients.map(async (client, i) => {
      const mine = seen[i] as Seen;
      for await (const note of client.subscribe(APP, { signal: stop.signal })) {
        const id = idOf(note.message.payload);
        if (id === null) continue;
        const now = performance.now();
        if (!mine.tentativeAt.has(id)) mine.tentativeAt.set(id, now);
        if (note.state === "final" && !mine.finalAt.has(id)) {
          mine.finalAt.set(id, now);
          mine.finalOrder.push(id);
        }
        complete();
      }
    });
    // Let every subscription be registered before the clock starts.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const postedAt = new Map<string, number>();
    const start = performance.now();
    await Promise.all(
      clients.map(async (client, member) => {
        for (let i = member; i < messages; i += MEMBERS) {
          const id = `${member}/${i}`;
          postedAt.set(id, performance.now());
          await client.post({ app: APP, payload: { id, message: { txt: `message ${i} from member ${member}` } } });
        }
      }),
    );
    const deadline = AbortSignal.timeout(30 * 60_000);
    await Promise.race([Promise.all([tentativeDone, finalDone]), new Promise((_, reject) => deadline.addEventListener("abort", () => reject(new Error("not every message was final at every subscriber within 30 min"))))]);
    const lastOf = (pick: (s: Seen) => Map<string, number>) => Math.max(...seen.map((s) => Math.max(...pick(s).values()))) - start;
    const delays = (pick: (s: Seen) => Map<string, number>) => seen.flatMap((s) => [...pick(s)].map(([id, at]) => at - (postedAt.get(id) ?? at))).sort((a, b) => a - b);
    const order = JSON.stringify(seen[0]?.finalOrder);
    const membersRssMb = await membersRss();
    stop.abort();
    await Promise.allSettled(subscribed);
    return {
      allFinalMs: lastOf((s) => s.finalAt),
      allTentativeMs: lastOf((s) => s.tentativeAt),
      tentative: delays((s) => s.tentativeAt),
      final: delays((s) => s.finalAt),
      identicalOrder: seen.every((s) => JSON.stringify(s.finalOrder) === order),
      membersIdleRssMb,
      membersRssMb,
    };
  } finally {
    stop.abort();
    // SIGTERM first: a member exits cleanly (and writes its CPU profile when RINGS_CPU_PROF_DIR is set).
    await Promise.allSettled(world.members.map(async (member) => member.node?.stop()));
    await world.cleanup();
  }
}

interface OrbitdbFigures {
  allDeliveredMs: number;
  deliveredP50Ms: number;
  deliveredP99Ms: number;
}

async function benchOrbitdb(): Promise<OrbitdbFigures> {
  await ensureOrbitdbInstalled();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ORBITDB_DIR, "messages.mjs"), String(messages), String(MEMBERS), String(30 * 60_000)], { cwd: ORBITDB_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4_000)));
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`OrbitDB messages bench failed (${String(code)}): ${err}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as OrbitdbFigures);
      } catch {
        reject(new Error(`OrbitDB messages bench printed no result: ${out} ${err}`));
      }
    });
  });
}

const ms = (value: number | null | undefined) => (value === null || value === undefined ? null : Math.round(value));
process.stdout.write(`messages benchmark: ${messages} messages, ${MEMBERS} members posting at once, load ${loadavg()[0]?.toFixed(1)}\n`);
const rings = await benchRings();
process.stdout.write(`rings: all final at every subscriber in ${ms(rings.allFinalMs)} ms, all tentative in ${ms(rings.allTentativeMs)} ms\n`);
const orbitdb = skipOrbitdb ? null : await benchOrbitdb();

const result = {
  messages,
  finalPerSec: Math.round((messages / (rings.allFinalMs / 1000)) * 10) / 10,
  tentativeP50Ms: ms(percentile(rings.tentative, 50)),
  tentativeP99Ms: ms(percentile(rings.tentative, 99)),
  finalP50Ms: ms(percentile(rings.final, 50)),
  finalP99Ms: ms(percentile(rings.final, 99)),
  identicalOrder: rings.identicalOrder,
  orbitdb: orbitdb === null ? null : { allDeliveredMs: ms(orbitdb.allDeliveredMs), deliveredP50Ms: ms(orbitdb.deliveredP50Ms), deliveredP99Ms: ms(orbitdb.deliveredP99Ms) },
  rings: { allFinalMs: ms(rings.allFinalMs), allTentativeMs: ms(rings.allTentativeMs) },
  membersIdleRssMb: rings.membersIdleRssMb,
  membersRssMb: rings.membersRssMb,
  loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
};
await mkdir(join(RESULTS, ".."), { recursive: true });
await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);

const ratio = (a: number | null, b: number | null | undefined) => (a === null || b === null || b === undefined || a === 0 ? "-" : `${(b / a).toFixed(2)}x`);
const rows = [
  ["", "Rings", "OrbitDB 4 (eventual)", "OrbitDB / Rings"],
  ["all messages at every peer (ms): final", String(result.rings.allFinalMs), String(result.orbitdb?.allDeliveredMs ?? "-"), ratio(result.rings.allFinalMs, result.orbitdb?.allDeliveredMs)],
  ["all messages at every peer (ms): tentative", String(result.rings.allTentativeMs), String(result.orbitdb?.allDeliveredMs ?? "-"), ratio(result.rings.allTentativeMs, result.orbitdb?.allDeliveredMs)],
  ["per message p50 (ms): final / tentative", `${result.finalP50Ms} / ${result.tentativeP50Ms}`, String(result.orbitdb?.deliveredP50Ms ?? "-"), `${ratio(result.finalP50Ms, result.orbitdb?.deliveredP50Ms)} / ${ratio(result.tentativeP50Ms, result.orbitdb?.deliveredP50Ms)}`],
  ["per message p99 (ms): final / tentative", `${result.finalP99Ms} / ${result.tentativeP99Ms}`, String(result.orbitdb?.deliveredP99Ms ?? "-"), `${ratio(result.finalP99Ms, result.orbitdb?.deliveredP99Ms)} / ${ratio(result.tentativeP99Ms, result.orbitdb?.deliveredP99Ms)}`],
  ["final messages/s", String(result.finalPerSec), "", ""],
  ["identical final order at every subscriber", String(result.identicalOrder), "", ""],
  ["members' RSS idle -> end (MB)", `${result.membersIdleRssMb.join(", ")} -> ${result.membersRssMb.join(", ")}`, "", ""],
];
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  |  ")}\n`);
process.stdout.write(`written ${RESULTS}\n`);
process.exit(0);
