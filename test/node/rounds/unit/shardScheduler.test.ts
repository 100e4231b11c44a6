/**
 * The shard scheduler with fakes of its components: the compute layer is a function that answers
 * (or gives no answer) at once, so its retry budget and its queue order are seen without a sandbox.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { describe, it } from "mocha";
import pino from "pino";
import { SandboxTimeoutError } from "../../../../node/src/compute/errors.js";
import { encodeData } from "../../../../node/src/compute/job.js";
import { JOB_ENTRY } from "../../../../node/src/rounds/entries.js";
import type { KnownJob } from "../../../../node/src/rounds/jobBook.js";
import type { ComputedBlock } from "../../../../node/src/rounds/jobCompute.js";
import { ShardScheduler } from "../../../../node/src/rounds/shardScheduler.js";

const self = Wallet.createRandom().address;

async function knownJob(name: string, shards: number): Promise<KnownJob & { shards: number }> {
  const spec = await encodeData({ name });
  return { id: spec.cid.toString(), entry: { type: JOB_ENTRY, job: spec.cid, spec: spec.bytes, pin: 0 }, submitter: self, seq: 0, seenAt: Date.now(), shards };
}

function scheduler(jobs: ReadonlyArray<KnownJob & { shards: number }>, map: (job: string, shard: number) => Promise<ComputedBlock>, options: { reschedule?: boolean } = {}) {
  const controller = new AbortController();
  const shapes = new Map(jobs.map((job) => [job.entry.spec, job.shards]));
  let instance: ShardScheduler | undefined = undefined;
  instance = new ShardScheduler(
    {
      chain: { ring: Wallet.createRandom().address, members: () => [self], isMember: () => true },
      ownLog: { append: () => Promise.resolve(undefined as never) },
      streams: { dialProtocol: () => Promise.reject(new Error("no network")), getConnections: () => [] },
      signer: { address: self },
    },
    {
      book: { job: (id) => jobs.find((job) => job.id === id), shardResults: () => new Map() },
      compute: {
        shape: (spec) => ({ shards: shapes.get(spec) ?? 1, redundancy: 1 }),
        map: (job, _spec, shard) => map(job.toString(), shard),
        majority: () => null,
        assignees: () => [self],
      },
      shardTimeoutMs: 5,
      isFinalised: () => false,
      onComputed: () => undefined,
      kick: () => {
        if (options.reschedule === true && !controller.signal.aborted) instance?.schedule(jobs);
      },
      signal: controller.signal,
      logger: pino({ level: "silent" }),
      trace: () => undefined,
    },
  );
  return { scheduler: instance, stop: () => controller.abort() };
}

describe("the shard scheduler", function () {
  it("stops retrying a shard that gives no answer once its retry budget is spent", async function () {
    const job = await knownJob("endless", 1);
    let calls = 0;
    const { scheduler: shards, stop } = scheduler([job], () => {
      calls += 1;
      return Promise.reject(new SandboxTimeoutError("the sandbox call did not finish within 60000 ms"));
    }, { reschedule: true });
    shards.schedule([job]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop();
    expect(calls).to.equal(3);
  });

  it("serves queued jobs in turn, so one job's many shards do not hold back another job", async function () {
    const many = await knownJob("many", 4);
    const one = await knownJob("one", 1);
    const order: string[] = [];
    const { scheduler: shards, stop } = scheduler([many, one], async (job, shard) => {
      order.push(`${job === many.id ? "many" : "one"}/${shard}`);
      const block = await encodeData({ job, shard });
      return { cid: block.cid, bytes: block.bytes };
    });
    shards.schedule([many, one]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop();
    expect(order).to.deep.equal(["many/0", "one/0", "many/1", "many/2", "many/3"]);
  });
});
