/**
 * A membership change lands while a round's flush is pending (audit finding 4, on real `ring-node`
 * processes and `hardhat node`): the votes signed under the old membership epoch no longer count,
 * so that flush reverts, and the relayer collects the votes again under the new epoch and lands
 * the same round. Interval mining is switched off so the owner's `enter` is mined before the flush.
 */
import { expect } from "chai";
import { Wallet, type JsonRpcProvider } from "ethers";
import { after, afterEach, before, describe, it } from "mocha";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";

const SUM = "export function map(inputs) { return inputs.reduce((s, x) => s + x.n, 0); }\nexport function reduce(parts) { return parts.reduce((s, x) => s + x, 0); }";

interface PendingTransaction {
  hash: string;
  to: string | null;
}

describe("rounds: the membership epoch moves while a round's flush is pending", function () {
  this.timeout(180_000);
  let world: RoundsRing;

  before(async function () {
    world = await startRoundsRing(4, "epoch-mid-round");
    for (let i = 0; i < 4; i++) await world.start(i);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await world?.saveLogs(this.currentTest.title);
  });

  after(async function () {
    await (world?.ring.chain.provider as JsonRpcProvider | undefined)?.send("evm_setAutomine", [true]).catch(() => undefined);
    await world?.cleanup();
  });

  it("the flush signed under the old epoch reverts and the relayer lands the same round under the new one", async function () {
    const provider = world.ring.chain.provider;
    const owner = ringAt(world.ring.ring, world.ring.chain.account(0));
    const round = Number(await owner.round()) + 1;
    const epochBefore = await owner.membershipEpoch();

    await provider.send("evm_setAutomine", [false]);
    const submitted = await world.jobsOf(0).submit({ source: SUM, inputs: [{ json: { n: 20 } }, { json: { n: 22 } }], shards: 2, redundancy: 2 });
    // The relayer has sent its flush: it waits in the mempool for a block.
    const pendingFlush = await waitFor(
      "the round's flush in the mempool",
      async () => {
        const block = (await provider.send("eth_getBlockByNumber", ["pending", true])) as { transactions: PendingTransaction[] } | null;
        return block?.transactions.find((tx) => tx.to?.toLowerCase() === world.ring.ring.toLowerCase());
      },
      60_000,
      100,
    );
    // The owner admits a fifth member, paying more so the block orders it before the flush (with the
    // flush pending, hardhat's gas estimate for `enter` comes out too low and it runs out: a fixed limit).
    const enter = await owner.enter(Wallet.createRandom().address, { gasLimit: 300_000n, maxPriorityFeePerGas: 50_000_000_000n, maxFeePerGas: 100_000_000_000n });
    await provider.send("evm_mine", []);
    await provider.send("evm_setAutomine", [true]);

    const enterReceipt = await provider.getTransactionReceipt(enter.hash);
    const staleFlush = await provider.getTransactionReceipt(pendingFlush.hash);
    expect(enterReceipt?.status).to.equal(1);
    expect(staleFlush?.status, "the flush signed under the old epoch").to.equal(0);
    expect(staleFlush?.blockNumber).to.equal(enterReceipt?.blockNumber);
    expect(await owner.membershipEpoch()).to.equal(epochBefore + 1n);

    const status = await world.jobsOf(0).waitFinalised(submitted.job, 90_000);
    expect(status.status).to.equal("finalised");
    expect(status.round).to.equal(round);
    const flushed = await owner.queryFilter(owner.filters.Flushed(round));
    expect(flushed).to.have.length(1);
    expect(flushed[0]?.blockNumber).to.be.greaterThan(enterReceipt?.blockNumber as number);
    expect(Number(await owner.round())).to.equal(round);
  });
});
