/**
 * The node's BLS work per round, measured in this process with noble-curves 2 (node/src/core/bls.ts):
 * one member's signature over the round's AggregateVote digest, and the relayer's aggregation of k
 * signatures plus its local check of the aggregate (aggregate of the k public keys, one pairing
 * check) before it sends the flush. Medians over a few rounds, for k = 16 and 256.
 *
 *   npm run bench:bls
 *
 * Writes bench-results/bls.json.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { aggregateSignatures, blsKeyPair, signDigest, verifyAggregate } from "../../node/src/core/bls.js";
import { aggregateVoteDigest, ringDomain } from "../../node/src/core/eip712.js";

const SIGNER_COUNTS = [16, 256];
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timed<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, performance.now() - start];
}

const domain = ringDomain(31337n, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
const rows = [];
// The first k measured is a warm-up (JIT, noble's precomputed tables) and is not reported.
for (const [pass, k] of [SIGNER_COUNTS[0]!, ...SIGNER_COUNTS].entries()) {
  const members = Array.from({ length: k }, (_, i) => blsKeyPair(new TextEncoder().encode(`bench-bls-${k}-${i}`.padEnd(48, "#"))));
  const sign: number[] = [];
  const aggregate: number[] = [];
  const verify: number[] = [];
  for (let round = 1n; round <= BigInt(ROUNDS); round++) {
    const digest = aggregateVoteDigest(domain, { round, membershipEpoch: 0n, ringNodeHead: `0x${"11".repeat(32)}`, headsRoot: `0x${"33".repeat(32)}`, outputsHash: `0x${"22".repeat(32)}` });
    const signatures = members.map((member) => {
      const [signature, ms] = timed(() => signDigest(member.secretKey, digest));
      sign.push(ms);
      return signature;
    });
    const [aggregated, aggregateMs] = timed(() => aggregateSignatures(signatures));
    aggregate.push(aggregateMs);
    const [valid, verifyMs] = timed(() => verifyAggregate(aggregated, digest, members.map((m) => m.publicKey)));
    if (!valid) throw new Error(`the aggregate of ${k} signatures does not verify`);
    verify.push(verifyMs);
  }
  const row = { signers: k, signMsPerMember: median(sign), aggregateMs: median(aggregate), localVerifyMs: median(verify) };
  if (pass === 0) continue;
  rows.push({ ...row, relayerMs: row.aggregateMs + row.localVerifyMs });
}

const fmt = (ms: number) => ms.toFixed(2);
process.stdout.write(
  [
    "| signers | sign (one member) ms | aggregate ms | local verify ms | relayer total ms |",
    "|--:|--:|--:|--:|--:|",
    ...rows.map((r) => `| ${r.signers} | ${fmt(r.signMsPerMember)} | ${fmt(r.aggregateMs)} | ${fmt(r.localVerifyMs)} | ${fmt(r.relayerMs)} |`),
  ].join("\n") + "\n",
);
const out = path.join(process.cwd(), "bench-results", "bls.json");
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify({ rounds: ROUNDS, rows }, null, 2)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
