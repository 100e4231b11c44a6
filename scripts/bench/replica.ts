/**
 * `npm run bench:replica` — a replica node catching up a registered ring's member log, against the
 * same log's catch-up by another member, measured in the same run on the same machine:
 *   1. a `hardhat node` chain with the Rings contracts, a client ring registered (ReplicateRing,
 *      fee paid) with a replica ring of 3 replica nodes (scripts/devnet/rpcWorld.ts: real Helia,
 *      the JSON-RPC service and its ReplicaFollower);
 *   2. one member appends N nodes (payloads sealed with the ring's read key, as members write them);
 *   3. member replication: a fresh member (Replicator over log-sync, as in bench:log) fetches,
 *      verifies, keeps and pins all N; three times, each a new member;
 *   4. replica catch-up: the member publishes its node info and head on chain; each replica node in
 *      turn (the others stopped) finds it from the chain, fetches, verifies, keeps and pins all N
 *      (timed from the head's receipt, or from the replica's start: its start-up counts against it);
 *   5. restore: a member that lost its data directory rebuilds its log of N nodes from the 3
 *      replicas (GetReplicaLog, every node verified) and appends it durably; three times.
 * Medians. Writes bench-results/replica.json: { nodes, replicaCatchUpPerSec, memberReplicationPerSec,
 *   restoreSeconds, ratio, target, samples, loadAverage }. Target: replica >= 0.8 x member.
 *
 *   npm run bench:replica [-- --nodes 10000]
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PeerId } from "@libp2p/interface";
import { parseEther } from "ethers";
import { cidToBytes32 } from "../../node/src/core/cid.js";
import { ringDomain } from "../../node/src/core/eip712.js";
import { addressOfPeerId, identityFromPrivateKey, peerIdBytes } from "../../node/src/identity/identity.js";
import { OwnLog } from "../../node/src/log/ownLog.js";
import { encryptPayload } from "../../node/src/replica/payloadCipher.js";
import { Ring__factory } from "../../types/index.js";
import { startReplicaNode, type ReplicaNodeUnderTest } from "../devnet/replicaNode.js";
import { buildRpcWorld } from "../devnet/rpcWorld.js";
import { fund } from "../devnet/ringsOnChain.js";
import { median } from "./floors.js";
import { FixedMembers, memberCatchUpSeconds, memberSide, restoreSeconds, type MemberSide } from "./replicaSides.js";

const RESULTS = fileURLToPath(new URL("../../bench-results/replica.json", import.meta.url));
const TARGET = 0.8;
const SAMPLES = 3;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const nodes = option("nodes", 10_000);
const round = (value: number) => Math.round(value * 10) / 10;
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Waits until `replica` holds `author`'s log of `nodes` nodes in `ring`; seconds since `start`. */
async function heldAfter(replica: ReplicaNodeUnderTest, ring: string, author: string, start: number): Promise<number> {
  const deadline = start + 10 * 60_000;
  while (((await replica.rpc.replicaStore.head(ring, author))?.seq ?? -1) < nodes - 1) {
    if (performance.now() > deadline) throw new Error(`replica ${replica.identity.address} did not catch up within 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return (performance.now() - start) / 1000;
}

say(`replica benchmark: ${nodes} nodes; load average before ${loadavg().map((value) => value.toFixed(2)).join(" ")}`);
const loadBefore = loadavg();
const world = await buildRpcWorld({ avatars: 2 + SAMPLES, replicaNodes: 3, register: true });
const root = await mkdtemp(join(tmpdir(), "rings-bench-replica-"));
const sides: MemberSide[] = [];
const restarted: ReplicaNodeUnderTest[] = [];
try {
  const { chainId, clientRing } = world;
  const domain = ringDomain(chainId, clientRing);
  const identities = world.avatars.map((avatar) => identityFromPrivateKey(avatar.privateKey));
  const membership = new FixedMembers(identities.map((identity) => identity.address));
  const writerIdentity = identities[0] as (typeof identities)[number];
  await fund(world.deployer, [writerIdentity.address], parseEther("1"));
  // Replicas 2 and 3 wait, stopped, for their turn (one replica catches up at a time; each then starts with an empty data directory).
  const [first, ...waiting] = world.replicaNodes as [ReplicaNodeUnderTest, ...ReplicaNodeUnderTest[]];
  for (const replica of waiting) await replica.stop({ keepData: true });

  const replicaAddresses = new Set(world.replicaIdentities.map((identity) => identity.address));
  const isReplicaPeer = (peer: PeerId) => {
    try {
      return replicaAddresses.has(addressOfPeerId(peer));
    } catch {
      return false;
    }
  };
  const writer = await memberSide(join(root, "writer"), writerIdentity, membership, domain, chainId, isReplicaPeer);
  sides.push(writer);
  const log = new OwnLog(writer.store, writerIdentity, domain);
  const context = { ring: clientRing, author: writerIdentity.address };
  let start = performance.now();
  for (let i = 0; i < nodes; i++) await log.append(encryptPayload(world.keys.readKey, { i, text: `message ${i}` }, context));
  say(`appended ${nodes} sealed nodes in ${round((performance.now() - start) / 1000)} s`);
  const head = writer.store.head(writerIdentity.address);
  if (head === null) throw new Error("the writer holds no head");

  const memberSeconds: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const reader = await memberSide(join(root, `member-${i}`), identities[2 + i] as (typeof identities)[number], membership, domain, chainId);
    sides.push(reader);
    memberSeconds.push(await memberCatchUpSeconds(writer, reader, nodes));
    await reader.stop();
    sides.pop();
    say(`member replication ${i + 1}: ${round(nodes / (memberSeconds.at(-1) as number))} nodes/s`);
  }

  const ring = Ring__factory.connect(clientRing, writerIdentity.wallet.connect(world.chain.provider));
  const address = writer.parts.helia.libp2p.getMultiaddrs()[0];
  if (address === undefined) throw new Error("the writer has no listen address");
  await (await ring.setNodeInfo(address.toString(), peerIdBytes(writer.parts.helia.libp2p.peerId))).wait();
  await (await ring.updateLogHead(cidToBytes32(head.cid))).wait();
  const replicaSeconds = [await heldAfter(first, clientRing, writerIdentity.address, performance.now())];
  say(`replica catch-up 1: ${round(nodes / (replicaSeconds[0] as number))} nodes/s`);
  for (const replica of waiting) {
    start = performance.now();
    const node = await startReplicaNode({ identity: replica.identity, provider: world.chain.provider, chainId, ownRing: world.replicaRingRing, settings: { forwarder: world.contracts.forwarder, replicaRing: world.replicaRing } });
    restarted.push(node);
    replicaSeconds.push(await heldAfter(node, clientRing, writerIdentity.address, start));
    say(`replica catch-up ${replicaSeconds.length}: ${round(nodes / (replicaSeconds.at(-1) as number))} nodes/s`);
  }

  const replicaUrls = [first.url, ...restarted.map((node) => node.url)];
  const restores: number[] = [];
  let bySource: Record<string, number> = {};
  for (let i = 0; i < SAMPLES; i++) {
    const restore = await restoreSeconds({ dir: join(root, `restore-${i}`), identity: writerIdentity, ring: clientRing, domain, head: head.cid, replicas: replicaUrls, count: nodes });
    restores.push(restore.seconds);
    bySource = restore.bySource;
    say(`restore ${i + 1}: ${round(restore.seconds)} s`);
  }

  const memberReplicationPerSec = nodes / median(memberSeconds);
  const replicaCatchUpPerSec = nodes / median(replicaSeconds);
  const loadAfter = loadavg();
  const result = {
    nodes,
    replicaCatchUpPerSec: round(replicaCatchUpPerSec),
    memberReplicationPerSec: round(memberReplicationPerSec),
    restoreSeconds: Math.round(median(restores) * 100) / 100,
    ratio: Math.round((replicaCatchUpPerSec / memberReplicationPerSec) * 100) / 100,
    target: TARGET,
    samples: { memberSeconds, replicaSeconds, restoreSeconds: restores, restoreBySource: bySource },
    loadAverage: { before: loadBefore.map((value) => Math.round(value * 100) / 100), after: loadAfter.map((value) => Math.round(value * 100) / 100) },
  };
  await mkdir(join(RESULTS, ".."), { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  const rows = [
    ["", "median of 3", "target"],
    ["member-to-member catch-up replication, nodes/s", String(result.memberReplicationPerSec), ""],
    ["replica catch-up (verified, stored, pinned), nodes/s", String(result.replicaCatchUpPerSec), ""],
    ["replica / member", `${result.ratio.toFixed(2)}x`, `>= ${TARGET}x ${result.ratio >= TARGET ? "(met)" : "(NOT met)"}`],
    [`restore of a member's ${nodes}-node log from 3 replicas, s`, String(result.restoreSeconds), ""],
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of rows) say(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  |  "));
  say(`load average after ${loadAfter.map((value) => value.toFixed(2)).join(" ")}; written ${RESULTS}`);
} finally {
  for (const node of restarted) await node.stop().catch(() => undefined);
  for (const side of sides.reverse()) await side.stop().catch(() => undefined);
  await world.stop();
  await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
process.exit(0);
