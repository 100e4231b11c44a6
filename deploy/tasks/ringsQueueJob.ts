/** The action of `npx hardhat rings queue-job`: `ring-node job queue` on the network's first account. */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { JobQueueWriter, readRingsAddresses } from "../../node/src/chain/index.js";
import { addressArgument } from "../../node/src/cli/chainAccess.js";
import { UsageError } from "../../node/src/cli/errors.js";
import { formatQueued, specDigest } from "../../node/src/cli/job.js";
import { printResult } from "../../node/src/cli/ring.js";

interface QueueArguments {
  ring: string;
  spec: string;
  jobQueue: string;
  json: boolean;
}

export default async function ringsQueueJob(args: QueueArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  const ring = addressArgument(args.ring, "<ring>");
  const spec = specDigest(args.spec);
  const { ethers } = await hre.network.connect();
  const [signer] = await ethers.getSigners();
  if (signer === undefined) throw new Error("the network has no account to send from");
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const queue = args.jobQueue === "" ? (await readRingsAddresses(chainId)).jobQueue : addressArgument(args.jobQueue, "--job-queue");
  if (queue === undefined) throw new UsageError(`the deploy records of chain ${chainId.toString()} have no JobQueue: give --job-queue`);
  const queued = { ...(await new JobQueueWriter(queue, signer).submitJob(ring, spec.digest)), job: spec.cid };
  printResult(args.json, { ...queued, jobQueue: queue, chainId: chainId.toString() }, formatQueued(queued));
}
