/**
 * `ring-node job queue <ring> --spec <cid>` (or the job's --code/--input flags, as `submit` takes
 * them: the running node at --data-dir stores its blocks and holds them for the members): queues a job for a ring on the JobQueue contract, sent
 * from this node's avatar account, so the ring takes it up even while no member is online (members
 * started with `--job-queue` read the queue's events and catch up). The spec block (and the code
 * and inputs it names) must be fetchable by the members: held by the submitter's node or a replica
 * ring. The JobQueue is `--job-queue`, else the deploy records' for the chain.
 */
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { CID } from "multiformats/cid";
import { DEFAULT_DEPLOYMENTS_DIR, JobQueueWriter, readRingsAddresses, type QueuedJob } from "../chain/index.js";
import { cidToBytes32 } from "../core/cid.js";
import { JobsClient } from "../rounds/jobsClient.js";
import { addJobOptions, jobRequestOf, type JobFlags } from "../rounds/submitCommand.js";
import { addChainOptions, addressArgument, avatarSigner, chainOf, dataDirOf, type ChainFlags } from "./chainAccess.js";
import { UsageError } from "./errors.js";
import { printResult } from "./ring.js";

interface QueueFlags extends ChainFlags, JobFlags {
  spec?: string;
  jobQueue?: string;
}

/** The spec CID: `--spec`, or the job the flags describe, its blocks stored at the running node. */
async function specOf(flags: QueueFlags): Promise<string> {
  if (flags.spec !== undefined) {
    if (flags.code !== undefined || flags.wasm !== undefined) throw new UsageError("give either --spec <cid> or the job (--code/--wasm and inputs), not both");
    return flags.spec;
  }
  if (flags.code === undefined && flags.wasm === undefined) throw new UsageError("give --spec <cid>, or the job (--code <file> or --wasm <file>, with its inputs) for the running node to hold");
  const request = await jobRequestOf(flags);
  return (await (await JobsClient.forDataDir(dataDirOf(flags))).prepare(request)).job;
}

export function specDigest(text: string): { cid: string; digest: string } {
  try {
    const cid = CID.parse(text.trim());
    return { cid: cid.toString(), digest: cidToBytes32(cid) };
  } catch (error) {
    throw new UsageError(`--spec: ${JSON.stringify(text)} is not the CID of a job spec block (CIDv1 dag-cbor sha2-256): ${(error as Error).message}`);
  }
}

async function jobQueueOf(flags: QueueFlags, chainId: bigint): Promise<string> {
  if (flags.jobQueue !== undefined) return addressArgument(flags.jobQueue, "--job-queue");
  const recorded = (await readRingsAddresses(chainId, resolve(flags.deployments ?? DEFAULT_DEPLOYMENTS_DIR))).jobQueue;
  if (recorded === undefined) throw new UsageError(`the deploy records of chain ${chainId.toString()} have no JobQueue: give --job-queue or redeploy with deploy/modules/Rings.ts`);
  return recorded;
}

export function formatQueued(queued: QueuedJob & { job: string }): string {
  return [
    `queued    job ${queued.job} for ring ${queued.ring}`,
    `sequence  ${queued.sequence} in the ring's queue (block ${queued.blockNumber}, tx ${queued.transactionHash})`,
    "next      the ring's members take it in when online; follow it with GetJob on a member's jobs endpoint",
    "",
  ].join("\n");
}

export function jobCommand(program: Command): void {
  const job = program.command("job").description("jobs queued on chain for a ring");
  addJobOptions(addChainOptions(job.command("queue").argument("<ring>", "the Ring contract's address")))
    .description("queue a job for the ring on the JobQueue contract, sent from this node's avatar account; the job is --spec, or --code/--wasm with inputs, whose blocks the running node at --data-dir then holds")
    .option("--spec <cid>", "CID of a job spec block the members can fetch")
    .addOption(new Option("--job-queue <address>", "the JobQueue (default: the deploy records' for the chain)").env("RING_NODE_JOB_QUEUE"))
    .action(async (address: string, flags: QueueFlags) => {
      const ring = addressArgument(address, "<ring>");
      const spec = specDigest(await specOf(flags));
      const { provider, chainId } = await chainOf(flags);
      try {
        const queue = await jobQueueOf(flags, chainId);
        const signer = await avatarSigner(flags, provider);
        const queued = { ...(await new JobQueueWriter(queue, signer).submitJob(ring, spec.digest)), job: spec.cid };
        printResult(flags.json, { ...queued, jobQueue: queue, chainId: chainId.toString() }, formatQueued(queued));
      } finally {
        provider.destroy();
      }
    });
}
