/**
 * The word-count jobs the rounds' process tests submit, the single-process reference they are
 * checked against, and the fork scenario both job kinds go through.
 */
import { expect } from "chai";
import * as dagCbor from "@ipld/dag-cbor";
import { MemoryBlocks, prepareWordcountJob, readExampleJob, readExampleWasm, runReference } from "../../../node/src/compute/index.js";
import { cidToBytes32 } from "../../../node/src/core/cid.js";
import { toJson } from "../../../node/src/rounds/jobService.js";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import type { RoundsRing } from "../../../scripts/devnet/roundsRing.js";

/** The word-count job in each kind of job code: the WebAssembly build gives the JavaScript version's output bytes. */
export const JOB_KINDS = [
  { kind: "JavaScript", code: async () => ({ source: await readExampleJob("wordcount") }) },
  { kind: "WebAssembly", code: async () => ({ wasm: Buffer.from(await readExampleWasm("wordcount")).toString("base64") }) },
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** A word-count job over `texts` (the shipped job code, JavaScript unless `kind` says), as SubmitJob takes it. */
export async function wordcount(texts: string[], shards: number, redundancy: number, pin: number, kind: JobKind = JOB_KINDS[0]) {
  return { ...(await kind.code()), inputs: texts.map((text) => ({ text })), params: { top: 20 }, shards, redundancy, pin };
}

/** The same job run once in this process by the compute layer's reference runner. */
export async function reference(texts: string[], shards: number, redundancy: number): Promise<{ cid: string; bytes32: string; value: unknown }> {
  const job = await prepareWordcountJob({ texts, shards, redundancy, top: 20 });
  const blocks = new MemoryBlocks();
  blocks.add(...job.blocks);
  const { output } = await runReference(job.cid, blocks);
  return { cid: output.cid.toString(), bytes32: cidToBytes32(output.cid), value: toJson(dagCbor.decode(output.bytes)) };
}

/** The corpus's texts, filled by a test's `before` (readCorpus). */
export const CORPUS: string[] = [];
/** A short text (one chapter's first lines) varied per test so every job is new. */
export const TEXT = (tag: string) => `${(CORPUS[0] ?? "").slice(0, 6_000)} ${tag}`;

/**
 * Member `forker` of a 4-member ring restarts forking its log while a `kind` job runs: the others
 * prove the fork on chain, it is ejected, that job is finalised, and the 3 left finalise the next.
 */
export async function forkAndContinue(world: RoundsRing, kind: JobKind, forker: number): Promise<void> {
  const ring = ringAt(world.ring.ring, world.ring.chain.account(0));
  const left = Number(await ring.memberCount()) - 1;
  await world.kill(forker);
  await world.start(forker, { RING_NODE_FAULT: "fork-log" });
  const address = world.members[forker]?.address as string;
  const submitted = await world.jobsOf(0).submit(await wordcount([TEXT(`forked, ${kind.kind}`)], 4, 3, 12, kind));
  await waitFor("the fork proven on chain", async () => !(await ring.isMember(address)), 60_000, 250);
  const proofs = await ring.queryFilter(ring.filters.ForkProven(address));
  expect(proofs).to.have.length(1);
  expect(await ring.memberCount()).to.equal(BigInt(left));
  await world.jobsOf(0).waitFinalised(submitted.job, 90_000);
  const text = TEXT(`${left} members, ${kind.kind}`);
  const expected = await reference([text], left, 2);
  const next = await world.jobsOf(1).submit(await wordcount([text], left, 2, 13, kind));
  const status = await world.jobsOf(1).waitFinalised(next.job, 90_000);
  expect(status.output?.cid).to.equal(expected.cid);
}
