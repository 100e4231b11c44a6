/**
 * The dashboard's chain snapshot shows the jobs queued on chain for each ring (a spawned hardhat
 * node, the contracts deployed, a ring created and two jobs queued for it), latest first.
 */
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { JobQueueWriter } from "../../../node/src/chain/index.js";
import { bytes32ToCid } from "../../../node/src/core/cid.js";
import { takeChainSnapshot } from "../../../node/src/dashboard/chainSnapshot.js";
import { hardhatAccount, startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { createRing, deployRingsContracts } from "../../../scripts/devnet/ringsOnChain.js";

describe("dashboard: jobs queued on chain", function () {
  this.timeout(120_000);
  let chain: HardhatNode;

  before(async () => {
    chain = await startHardhatNode();
  });

  after(async () => {
    await chain?.stop();
  });

  it("lists each ring's queued jobs with sequence, spec CID and submitter, latest first", async () => {
    const contracts = await deployRingsContracts(chain.account(0));
    const ring = await createRing(contracts.factory, [1, 2, 3].map((i) => hardhatAccount(i).address), hardhatAccount(0).address);
    const digests = [hexlify(randomBytes(32)), hexlify(randomBytes(32))];
    const writer = new JobQueueWriter(contracts.jobQueue, chain.account(4));
    for (const digest of digests) await writer.submitJob(ring, digest);
    const snapshot = await takeChainSnapshot({ provider: chain.provider, factory: await contracts.factory.getAddress(), gate: contracts.gate, forwarder: contracts.forwarder, jobQueue: contracts.jobQueue });
    const view = snapshot.rings.find((r) => r.address === ring);
    expect(view?.queuedJobs.map((q) => [q.sequence, q.job, q.submitter])).to.deep.equal([
      [2, bytes32ToCid(digests[1] as string)?.toString(), hardhatAccount(4).address],
      [1, bytes32ToCid(digests[0] as string)?.toString(), hardhatAccount(4).address],
    ]);
  });
});
