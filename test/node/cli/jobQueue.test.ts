/**
 * `ring-node job queue` as a real process against a spawned hardhat node: the job lands in the
 * ring's queue on the JobQueue, sent from the avatar; a malformed spec CID and a chain without a
 * recorded JobQueue are refused with their reasons.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { encodeData } from "../../../node/src/compute/job.js";
import { JobQueueReads } from "../../../node/src/chain/index.js";
import { hardhatAccount, startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { REPO_ROOT } from "../../../scripts/devnet/paths.js";
import { initRingNode, RING_NODE_BIN, ringNodeCommand, TEST_PASSWORD } from "../../../scripts/devnet/ringNodeProcess.js";
import { deployRingsContracts } from "../../../scripts/devnet/ringsOnChain.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const run = promisify(execFile);
const dirs = tempDirs("rings-cli-job");

async function failing(args: string[]): Promise<string> {
  try {
    await run(process.execPath, [RING_NODE_BIN, ...args], { env: { ...process.env, RING_NODE_PASSWORD: TEST_PASSWORD }, timeout: 60_000 });
  } catch (error) {
    return (error as { stderr?: string }).stderr ?? "";
  }
  throw new Error(`ring-node ${args.join(" ")} was expected to fail`);
}

describe("ring-node job queue", function () {
  this.timeout(120_000);
  let chain: HardhatNode;
  let jobQueue: string;
  let dataDir: string;
  const operator = hardhatAccount(7);
  const ring = hardhatAccount(3).address;

  before(async function () {
    chain = await startHardhatNode();
    jobQueue = (await deployRingsContracts(chain.account(0))).jobQueue;
    dataDir = await dirs.make("client");
    await initRingNode(dataDir, operator.privateKey);
  });

  after(async function () {
    await chain?.stop();
    await dirs.cleanup();
  });

  it("queues the spec for the ring from the avatar's account and prints its sequence number", async function () {
    const spec = (await encodeData({ stands: "for a job spec" })).cid.toString();
    const out = JSON.parse(await ringNodeCommand(["job", "queue", ring, "--spec", spec, "--job-queue", jobQueue, "--data-dir", dataDir, "--rpc-url", chain.url, "--json"])) as { sequence: number; job: string; submitter: string };
    expect(out).to.deep.include({ sequence: 1, job: spec, submitter: operator.address });
    const jobs = await new JobQueueReads(jobQueue, chain.provider).queuedJobs(ring, 0, await chain.provider.getBlockNumber());
    expect(jobs.map((job) => [job.sequence, job.submitter])).to.deep.equal([[1, operator.address]]);
  });

  it("does the same as a Hardhat task (npx hardhat rings queue-job) from the network's first account", async function () {
    const spec = (await encodeData("queued by the task")).cid.toString();
    const hardhat = join(REPO_ROOT, "node_modules", ".bin", "hardhat");
    const env = { ...process.env, RINGS_LOCALHOST_URL: chain.url };
    const { stdout } = await run(hardhat, ["--network", "localhost", "rings", "queue-job", ring, "--spec", spec, "--job-queue", jobQueue, "--json"], { cwd: REPO_ROOT, env, timeout: 120_000 });
    expect(JSON.parse(stdout)).to.deep.include({ job: spec, submitter: hardhatAccount(0).address });
  });

  it("refuses a spec that is not a dag-cbor CID, sending nothing", async function () {
    const stderr = await failing(["job", "queue", ring, "--spec", "not-a-cid", "--job-queue", jobQueue, "--data-dir", dataDir, "--rpc-url", chain.url]);
    expect(stderr).to.contain("--spec").and.contain("is not the CID of a job spec block");
  });

  it("without --job-queue, names the missing deploy records", async function () {
    const spec = (await encodeData("x")).cid.toString();
    const deployments = await dirs.make("no-deployments");
    const stderr = await failing(["job", "queue", ring, "--spec", spec, "--deployments", deployments, "--data-dir", dataDir, "--rpc-url", chain.url]);
    expect(stderr).to.contain("DeploymentNotFoundError");
  });
});
