/**
 * `npm run bench:log` — the ring node's log against OrbitDB 4, same work, same machine, same run:
 *   1. signed, durable appends per second on one node (each awaited before the next), against the
 *      physical floor measured in the same run on the same disk: one write + fdatasync of a block
 *      of the log node's size at a time (an append cannot be durable faster than one such sync);
 *   2. the same log with 32 appends in flight (group commit: one sync for all that are waiting);
 *   3. catch-up replication: a second node on loopback TCP fetches and verifies all N nodes.
 * Rings runs its real modules (Helia 7 on disk, libp2p over TCP, the Replicator); OrbitDB runs in its
 * own process on the Helia version it supports (scripts/bench/orbitdb, installed on first run).
 * Writes bench-results/log.json: { entries, nodeBytes, fsyncFloorPerSec, appendsOverFloor,
 *   rings: { appendsPerSec, replicatedPerSec, groupCommitPerSec }, orbitdb: {...} }.
 *
 *   npm run bench:log [-- --entries 10000] [--skip-orbitdb]
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getAddress, hexlify, randomBytes } from "ethers";
import type { Membership } from "../../node/src/chain/membership.js";
import { ringDomain } from "../../node/src/core/eip712.js";
import { generateIdentity, type RingIdentity } from "../../node/src/identity/identity.js";
import { silentLogger } from "../../node/src/logging.js";
import { OwnLog } from "../../node/src/log/ownLog.js";
import { LogPinner } from "../../node/src/log/logPinner.js";
import { LogStore } from "../../node/src/log/store.js";
import { createRingHelia, type RingHeliaParts } from "../../node/src/p2p/createRingHelia.js";
import { Replicator } from "../../node/src/replication/replicator.js";
import { ensureOrbitdbInstalled, ORBITDB_DIR } from "./orbitdbSide.js";

const RESULTS = fileURLToPath(new URL("../../bench-results/log.json", import.meta.url));

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const entries = option("entries", 10_000);
const skipOrbitdb = process.argv.includes("--skip-orbitdb");

/** The ring of the benchmark: its two members (fixed, as a ring read from chain would be). */
class TwoMembers implements Membership {
  constructor(private readonly list: string[]) {}
  members(): readonly string[] {
    return this.list;
  }
  isMember(address: string): boolean {
    return this.list.includes(getAddress(address));
  }
}

interface RingsSide {
  identity: RingIdentity;
  parts: RingHeliaParts;
  store: LogStore;
  replicator: Replicator;
  pinner: LogPinner;
}

async function ringsSide(dir: string, identity: RingIdentity, membership: Membership, domain: ReturnType<typeof ringDomain>): Promise<RingsSide> {
  const parts = await createRingHelia({ dataDir: dir, privateKey: identity.libp2pKey, listen: ["/ip4/127.0.0.1/tcp/0"] });
  const store = await LogStore.open(dir, parts.blockstore, parts.datastore);
  const replicator = new Replicator({
    helia: parts.helia,
    store,
    self: identity.address,
    domain,
    chainId: 31337n,
    membership,
    logger: silentLogger(),
    fetchTimeoutMs: 30_000,
    headExchangeMs: 60_000,
  });
  await replicator.start();
  // As in ring-node: every node kept is pinned in the background.
  const pinner = new LogPinner(parts.helia, store, silentLogger());
  pinner.start();
  return { identity, parts, store, replicator, pinner };
}

/** Writes + fdatasyncs of one `size`-byte block at a time, appended to one file under `dir`, per second. */
async function fsyncFloor(dir: string, size: number, count: number): Promise<number> {
  const file = join(dir, "fsync-floor.bin");
  const handle = await open(file, "w");
  try {
    const block = randomBytes(size);
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      await handle.write(block, 0, size, i * size);
      await handle.datasync();
    }
    return count / ((performance.now() - start) / 1000);
  } finally {
    await handle.close();
    await rm(file, { force: true });
  }
}

interface RingsFigures {
  appendsPerSec: number;
  replicatedPerSec: number;
  groupCommitPerSec: number;
  /** Size of one log node's block (the floor writes blocks of this size). */
  nodeBytes: number;
  fsyncFloorPerSec: number;
}

async function benchRings(): Promise<RingsFigures> {
  const root = await mkdtemp(join(tmpdir(), "rings-bench-log-"));
  const [writer, reader] = [generateIdentity(), generateIdentity()];
  const domain = ringDomain(31337n, getAddress(hexlify(randomBytes(20))));
  const membership = new TwoMembers([writer.address, reader.address]);
  const sides: RingsSide[] = [];
  try {
    const a = await ringsSide(join(root, "a"), writer, membership, domain);
    sides.push(a);
    const log = new OwnLog(a.store, writer, domain);
    let start = performance.now();
    for (let i = 0; i < entries; i++) await log.append({ i });
    const appendSeconds = (performance.now() - start) / 1000;
    const head = a.store.head(writer.address);
    const nodeBytes = head === null ? 0 : ((await a.store.readBytes(head.cid))?.length ?? 0);
    // The floor on the same disk, right after the appends (so under the same load).
    const fsyncFloorPerSec = await fsyncFloor(root, nodeBytes, Math.min(entries, 5_000));

    const b = await ringsSide(join(root, "b"), reader, membership, domain);
    sides.push(b);
    start = performance.now();
    const address = a.parts.helia.libp2p.getMultiaddrs()[0];
    if (address === undefined) throw new Error("the writer has no listen address");
    await b.parts.helia.libp2p.dial(address);
    // Replicated = fetched, verified, kept and pinned.
    while (b.pinner.pinnedSeq(writer.address) < entries - 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const replicateSeconds = (performance.now() - start) / 1000;
    if (!b.store.head(writer.address)?.cid.equals(a.store.head(writer.address)?.cid ?? b.store.head(writer.address)?.cid ?? "")) {
      throw new Error("the reader's head differs from the writer's");
    }
    if (b.replicator.rejections().length > 0) throw new Error(`refusals during the benchmark: ${JSON.stringify(b.replicator.rejections())}`);

    // Extra figure: the same log with 32 appends in flight (group commit: one fsync round for many).
    const extra = Math.min(entries, 2_000);
    start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < extra) {
          next++;
          await log.append({ concurrent: next });
        }
      }),
    );
    const groupCommitPerSec = extra / ((performance.now() - start) / 1000);
    return { appendsPerSec: entries / appendSeconds, replicatedPerSec: entries / replicateSeconds, groupCommitPerSec, nodeBytes, fsyncFloorPerSec };
  } finally {
    for (const side of sides.reverse()) {
      await side.pinner.stop();
      await side.replicator.stop();
      await side.parts.helia.stop();
      await side.store.close();
    }
    await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

async function benchOrbitdb(): Promise<{ appendsPerSec: number; replicatedPerSec: number; appendSeconds: number; replicateSeconds: number }> {
  await ensureOrbitdbInstalled();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ORBITDB_DIR, "bench.mjs"), String(entries), String(30 * 60_000)], { cwd: ORBITDB_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4_000)));
    child.once("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`OrbitDB bench failed (${String(code)}): ${err}`));
      try {
        resolve(JSON.parse(line) as { appendsPerSec: number; replicatedPerSec: number; appendSeconds: number; replicateSeconds: number });
      } catch {
        reject(new Error(`OrbitDB bench printed no result: ${out} ${err}`));
      }
    });
  });
}

const round = (value: number) => Math.round(value * 10) / 10;

process.stdout.write(`log benchmark: ${entries} entries\n`);
const rings = await benchRings();
process.stdout.write(`rings: ${round(rings.appendsPerSec)} appends/s, ${round(rings.replicatedPerSec)} replicated/s\n`);
const orbitdb = skipOrbitdb ? null : await benchOrbitdb();

const result = {
  entries,
  nodeBytes: rings.nodeBytes,
  fsyncFloorPerSec: round(rings.fsyncFloorPerSec),
  appendsOverFloor: Math.round((rings.appendsPerSec / rings.fsyncFloorPerSec) * 100) / 100,
  rings: { appendsPerSec: round(rings.appendsPerSec), replicatedPerSec: round(rings.replicatedPerSec), groupCommitPerSec: round(rings.groupCommitPerSec) },
  orbitdb: orbitdb === null ? null : { appendsPerSec: round(orbitdb.appendsPerSec), replicatedPerSec: round(orbitdb.replicatedPerSec) },
};
await mkdir(join(RESULTS, ".."), { recursive: true });
await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);

const ratio = (a: number, b: number | undefined) => (b === undefined ? "-" : `${(a / b).toFixed(1)}x`);
const rows = [
  ["", "Rings (Helia 7)", "OrbitDB 4 (Helia 6)", "Rings / OrbitDB"],
  [`write + fdatasync of ${result.nodeBytes} B/s (floor)`, String(result.fsyncFloorPerSec), "", ""],
  ["signed durable appends/s", `${result.rings.appendsPerSec} (${result.appendsOverFloor}x floor)`, String(result.orbitdb?.appendsPerSec ?? "-"), ratio(result.rings.appendsPerSec, result.orbitdb?.appendsPerSec)],
  ["same, 32 in flight (group commit)/s", String(result.rings.groupCommitPerSec), String(result.orbitdb?.appendsPerSec ?? "-"), ratio(result.rings.groupCommitPerSec, result.orbitdb?.appendsPerSec)],
  ["catch-up replication nodes/s", String(result.rings.replicatedPerSec), String(result.orbitdb?.replicatedPerSec ?? "-"), ratio(result.rings.replicatedPerSec, result.orbitdb?.replicatedPerSec)],
];
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  |  ")}\n`);
process.stdout.write(`written ${RESULTS}\n`);
process.exit(0);
