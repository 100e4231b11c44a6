/**
 * npm run bench:rpc — sustained FlushToRing throughput and latency on one replica node.
 *
 * A `hardhat node` chain (automine) with the Rings contracts, a client ring of AVATARS light
 * avatars, a replica ring whose replica node (real Helia, its own durable signed log, JSON-RPC over
 * HTTP) relays every accepted meta-transaction through the forwarder, batching with `executeBatch`.
 * Each avatar sends FLUSHES flushes one after another (its next flush moves its head on from the
 * last), all avatars at once; requests are signed before the clock starts. Latency is the whole
 * FlushToRing call: checks, `received`, relay mined, `relayed`.
 *
 * Writes bench-results/rpc.json: { requests, requestsPerSec, p50Ms, p99Ms, ... }.
 *   RINGS_BENCH_AVATARS=128 RINGS_BENCH_FLUSHES=10 RINGS_BENCH_MAX_BATCH=64 npm run bench:rpc
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Wallet } from "ethers";
import { buildFlushToRing, nextForwarderNonce, type FlushToRingRequest } from "../../node/src/client/requests.js";
import type { FlushToRingResult } from "../../node/src/client/ringsRpcClient.js";
import { buildRpcWorld } from "../devnet/rpcWorld.js";

const AVATARS = Number(process.env.RINGS_BENCH_AVATARS ?? 128);
const FLUSHES = Number(process.env.RINGS_BENCH_FLUSHES ?? 10);
const MAX_BATCH = Number(process.env.RINGS_BENCH_MAX_BATCH ?? 64);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function main(): Promise<void> {
  console.log(`bench:rpc — ${AVATARS} avatars x ${FLUSHES} flushes, relayer batches up to ${MAX_BATCH} meta-transactions`);
  const world = await buildRpcWorld({ avatars: AVATARS, replicaNodes: 1, register: true, maxBatchSize: MAX_BATCH });
  try {
    const node = world.replicaNodes[0];
    if (node === undefined) throw new Error("no replica node");

    const signStart = performance.now();
    const plans: FlushToRingRequest[][] = [];
    for (let a = 0; a < AVATARS; a++) {
      const log = world.avatarLog(a);
      // Avatar 0 registered the ring: its forwarder nonce has moved on already.
      const firstNonce = await nextForwarderNonce(world.chain.provider, world.contracts.forwarder, (world.avatars[a] as Wallet).address);
      const requests: FlushToRingRequest[] = [];
      for (let k = 0; k < FLUSHES; k++) {
        const node = await log.append({ text: `avatar ${a} message ${k}` });
        requests.push(await buildFlushToRing({ signer: world.avatars[a] as Wallet, ring: world.clientRing, replicaKey: world.keys.replicaKey, forwarder: world.forwarder, logNodes: [node], nonce: firstNonce + BigInt(k) }));
      }
      plans.push(requests);
    }
    console.log(`signed ${AVATARS * FLUSHES} requests in ${((performance.now() - signStart) / 1000).toFixed(1)} s`);

    const latencies: number[] = [];
    const failures: string[] = [];
    const relayBefore = { ...node.rpc.relayer.stats };
    const started = performance.now();
    await Promise.all(
      plans.map(async (requests) => {
        for (const request of requests) {
          const t0 = performance.now();
          const response = await fetch(node.url, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "FlushToRing", params: request }),
            signal: AbortSignal.timeout(120_000),
          });
          const answer = (await response.json()) as { result?: FlushToRingResult; error?: { code: number; message: string } };
          latencies.push(performance.now() - t0);
          if (answer.result?.state !== "relayed") failures.push(answer.error?.message ?? `state ${answer.result?.state}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const transactions = node.rpc.relayer.stats.transactions - relayBefore.transactions;
    const relayed = node.rpc.relayer.stats.requests - relayBefore.requests;

    latencies.sort((x, y) => x - y);
    const result = {
      requests: latencies.length,
      requestsPerSec: Number((latencies.length / seconds).toFixed(1)),
      p50Ms: Number(percentile(latencies, 50).toFixed(1)),
      p99Ms: Number(percentile(latencies, 99).toFixed(1)),
      avatars: AVATARS,
      flushesPerAvatar: FLUSHES,
      failed: failures.length,
      relayTransactions: transactions,
      meanBatchSize: Number((relayed / Math.max(1, transactions)).toFixed(1)),
      seconds: Number(seconds.toFixed(2)),
    };
    console.log("");
    console.log("| requests | requests/s | p50 ms | p99 ms | relay txs | mean batch | failed |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|");
    console.log(`| ${result.requests} | ${result.requestsPerSec} | ${result.p50Ms} | ${result.p99Ms} | ${result.relayTransactions} | ${result.meanBatchSize} | ${result.failed} |`);
    if (failures.length > 0) console.log(`first failures: ${failures.slice(0, 3).join(" | ")}`);
    await mkdir("bench-results", { recursive: true });
    await writeFile(join("bench-results", "rpc.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log("\nwrote bench-results/rpc.json");
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    await world.stop();
  }
}

await main();
