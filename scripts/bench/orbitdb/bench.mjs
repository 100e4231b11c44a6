// OrbitDB 4 side of `npm run bench:log` (run by scripts/bench/log.ts in its own process, on the
// Helia version OrbitDB supports). Same work as the Rings side: N signed appends on one node
// (an `events` database: append-only, every entry signed by the writer's identity), then a second
// node on loopback TCP catches up with all N entries (fetched and signature-verified by OrbitDB).
// Prints one JSON line: { entries, appendsPerSec, replicatedPerSec, appendSeconds, replicateSeconds }.
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

const entries = Number(process.argv[2] ?? 10_000);
const timeoutMs = Number(process.argv[3] ?? 600_000);

async function node(dir) {
  const libp2p = await createLibp2p({
    addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false }) },
  });
  const ipfs = await createHelia({
    libp2p,
    blockstore: new LevelBlockstore(join(dir, "blocks")),
    blockBrokers: [bitswap()],
    routers: [libp2pRouting(libp2p)],
  });
  const orbitdb = await createOrbitDB({ ipfs, directory: join(dir, "orbitdb") });
  return { ipfs, orbitdb };
}

const root = await mkdtemp(join(tmpdir(), "rings-bench-orbitdb-"));
const deadline = setTimeout(() => {
  process.stderr.write(`orbitdb bench timed out after ${timeoutMs} ms\n`);
  process.exit(2);
}, timeoutMs);
try {
  const a = await node(join(root, "a"));
  const b = await node(join(root, "b"));
  const db = await a.orbitdb.open("rings-bench", { type: "events", AccessController: IPFSAccessController({ write: ["*"] }) });

  let start = performance.now();
  let last;
  for (let i = 0; i < entries; i++) last = await db.add({ i });
  const appendSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  await b.ipfs.libp2p.dial(a.ipfs.libp2p.getMultiaddrs()[0]);
  const replica = await b.orbitdb.open(db.address);
  for (;;) {
    const heads = await replica.log.heads();
    if (heads.some((head) => head.hash === last)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const replicateSeconds = (performance.now() - start) / 1000;

  let count = 0;
  for await (const _ of replica.iterator()) count++;
  if (count !== entries) throw new Error(`replica holds ${count} entries, expected ${entries}`);

  process.stdout.write(`${JSON.stringify({ entries, appendsPerSec: entries / appendSeconds, replicatedPerSec: entries / replicateSeconds, appendSeconds, replicateSeconds })}\n`);
  await replica.close();
  await db.close();
  for (const side of [a, b]) {
    await side.orbitdb.stop();
    await side.ipfs.stop();
  }
} finally {
  clearTimeout(deadline);
  await rm(root, { recursive: true, force: true });
}
process.exit(0);
