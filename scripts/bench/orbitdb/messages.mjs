// OrbitDB 4 side of `npm run bench:messages` (run by scripts/bench/messages.ts in its own process,
// on the Helia version OrbitDB supports). Same work as the Rings side: 4 peers, each adding its
// share of the messages to one `events` database (every entry signed by its writer) at the same
// time, OrbitDB replicating them by its own means (gossipsub heads + bitswap). Measured: the time
// from the first add until every peer holds every message (eventual delivery), and per message the
// time from its add until the last peer has it.
// The 4 peers share this process (one clock for the per-message times); each has its own libp2p
// node, TCP listener on loopback, blockstore and OrbitDB directory.
// Prints one JSON line: { messages, peers, allDeliveredMs, deliveredP50Ms, deliveredP99Ms }.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { bitswap } from "@helia/block-brokers";
import { libp2pRouting } from "@helia/routers";
import { gossipsub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import { tcp } from "@libp2p/tcp";
import { createOrbitDB, IPFSAccessController } from "@orbitdb/core";
import { LevelBlockstore } from "blockstore-level";
import { createHelia } from "helia";
import { createLibp2p } from "libp2p";

const messages = Number(process.argv[2] ?? 10_000);
const peers = Number(process.argv[3] ?? 4);
const timeoutMs = Number(process.argv[4] ?? 600_000);

async function node(dir) {
  const libp2p = await createLibp2p({
    addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false }) },
  });
  const ipfs = await createHelia({ libp2p, blockstore: new LevelBlockstore(join(dir, "blocks")), blockBrokers: [bitswap()], routers: [libp2pRouting(libp2p)] });
  const orbitdb = await createOrbitDB({ ipfs, directory: join(dir, "orbitdb") });
  return { ipfs, orbitdb };
}

function percentile(sorted, p) {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const root = await mkdtemp(join(tmpdir(), "rings-bench-orbitdb-messages-"));
const deadline = setTimeout(() => {
  process.stderr.write(`orbitdb messages bench timed out after ${timeoutMs} ms\n`);
  process.exit(2);
}, timeoutMs);
try {
  const nodes = [];
  for (let i = 0; i < peers; i++) nodes.push(await node(join(root, `p${i}`)));
  for (let i = 0; i < peers; i++) for (let j = i + 1; j < peers; j++) await nodes[j].ipfs.libp2p.dial(nodes[i].ipfs.libp2p.getMultiaddrs()[0]);
  const first = await nodes[0].orbitdb.open("rings-bench-messages", { type: "events", AccessController: IPFSAccessController({ write: ["*"] }) });
  const dbs = [first];
  for (let i = 1; i < peers; i++) dbs.push(await nodes[i].orbitdb.open(first.address));
  // Let the peers subscribe to each other's topic before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  const postedAt = new Map();
  const seenBy = new Map();
  const lastSeenAt = new Map();
  let complete = 0;
  let resolveAll;
  const allDelivered = new Promise((resolve) => (resolveAll = resolve));
  const seen = (id) => {
    const count = (seenBy.get(id) ?? 0) + 1;
    seenBy.set(id, count);
    if (count === peers) {
      lastSeenAt.set(id, performance.now());
      if (++complete === messages) resolveAll();
    }
  };
  for (const db of dbs) {
    const mine = new Set();
    db.events.on("update", (entry) => {
      const id = entry?.payload?.value?.id;
      if (typeof id !== "string" || mine.has(id)) return;
      mine.add(id);
      seen(id);
    });
  }

  const start = performance.now();
  await Promise.all(
    dbs.map(async (db, peer) => {
      for (let i = peer; i < messages; i += peers) {
        const id = `${peer}/${i}`;
        postedAt.set(id, performance.now());
        await db.add({ id, message: { txt: `message ${i} from peer ${peer}` } });
      }
    }),
  );
  await allDelivered;
  const allDeliveredMs = performance.now() - start;
  const delivered = [...lastSeenAt].map(([id, at]) => at - postedAt.get(id)).sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ messages, peers, allDeliveredMs, deliveredP50Ms: percentile(delivered, 50), deliveredP99Ms: percentile(delivered, 99) })}\n`);
  for (const db of dbs) await db.close();
  for (const side of nodes) {
    await side.orbitdb.stop();
    await side.ipfs.stop();
  }
} finally {
  clearTimeout(deadline);
  await rm(root, { recursive: true, force: true });
}
process.exit(0);
