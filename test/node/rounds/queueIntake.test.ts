/**
 * Unit tests of the queue intake's pure logic (fakes for the chain, the book and bitswap): jobs
 * queued on chain enter the log once each, in sequence order, and an unfetchable spec is given up
 * with its reason after a bounded number of attempts.
 */
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import type { QueuedJob } from "../../../node/src/chain/jobQueue.js";
import { bytes32ToCid } from "../../../node/src/core/cid.js";
import type { JobEntry } from "../../../node/src/rounds/entries.js";
import { QueueIntake } from "../../../node/src/rounds/queueIntake.js";

const RING = "0x00000000000000000000000000000000000000aa";

function world(jobs: QueuedJob[], unfetchable = new Set<string>()) {
  const appended: JobEntry[] = [];
  const inLog = new Set<string>();
  const scans: [number, number][] = [];
  const intake = new QueueIntake(
    {
      queue: {
        queuedJobs: (_ring, from, to) => {
          scans.push([from, to]);
          return Promise.resolve(jobs.filter((job) => job.blockNumber >= from && job.blockNumber <= to));
        },
      },
      latestBlock: () => Promise.resolve(Math.max(0, ...jobs.map((job) => job.blockNumber))),
      book: { scan: () => Promise.resolve(false), findJob: (id: string) => Promise.resolve(inLog.has(id) ? ({} as never) : undefined) },
      fetchSpec: (cid) => (unfetchable.has(cid.toString()) ? Promise.reject(new Error("no provider answered within 100 ms")) : Promise.resolve(new Uint8Array([1]))),
      checkSpec: () => undefined,
      append: (entry) => {
        appended.push(entry);
        inLog.add(entry.job.toString());
        return Promise.resolve();
      },
    },
    { ring: RING, fromBlock: 5, maxAttempts: 2 },
  );
  return { intake, appended, inLog, scans };
}

function queued(sequence: number, blockNumber: number): QueuedJob {
  return { ring: RING, sequence, submitter: RING, specDigest: hexlify(randomBytes(32)), blockNumber, transactionHash: "0x" };
}

const idOf = (job: QueuedJob) => bytes32ToCid(job.specDigest)?.toString();

describe("queue intake", () => {
  it("takes the queued jobs into the log once each, in sequence order, however often it polls", async () => {
    const jobs = [queued(1, 6), queued(2, 7), queued(3, 9)];
    const { intake, appended } = world(jobs);
    expect(await intake.poll()).to.equal(3);
    await intake.poll();
    expect(appended.map((entry) => entry.job.toString())).to.deep.equal(jobs.map(idOf));
  });

  it("scans from its start block on, so jobs queued before it started are caught up", async () => {
    const { intake, scans } = world([queued(1, 6)]);
    await intake.poll();
    expect(scans[0]?.[0]).to.equal(5);
  });

  it("does not append a job another member already took into its log", async () => {
    const jobs = [queued(1, 6)];
    const { intake, appended, inLog } = world(jobs);
    inLog.add(idOf(jobs[0] as QueuedJob) as string);
    await intake.poll();
    expect(appended).to.deep.equal([]);
    expect(intake.status(idOf(jobs[0] as QueuedJob) as string)?.state).to.equal("in-log");
  });

  it("a later job waits while an earlier spec is being fetched again, then follows it", async () => {
    const jobs = [queued(1, 6), queued(2, 7)];
    const { intake, appended } = world(jobs, new Set([idOf(jobs[0] as QueuedJob) as string]));
    await intake.poll();
    expect(appended).to.deep.equal([]);
    expect(intake.waiting().map((entry) => entry.queued.sequence)).to.deep.equal([1, 2]);
    await intake.poll();
    expect(appended.map((entry) => entry.job.toString())).to.deep.equal([idOf(jobs[1] as QueuedJob)]);
  });

  it("gives an unfetchable spec up after its attempts, as failed with the reason, and is not retried", async () => {
    const jobs = [queued(1, 6)];
    const id = idOf(jobs[0] as QueuedJob) as string;
    const { intake } = world(jobs, new Set([id]));
    await intake.poll();
    await intake.poll();
    await intake.poll();
    const status = intake.status(id);
    expect(status?.state).to.equal("failed");
    expect(status?.attempts).to.equal(2);
    expect(status?.reason).to.contain("could not be fetched in 2 attempts").and.contain("no provider answered");
  });
});
