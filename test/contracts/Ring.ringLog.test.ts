import { expect } from "chai";
import { flushRound, ringOfWallets, type RingUnderTest } from "./fixtures.js";

describe("Ring log", function () {
  let context: RingUnderTest;

  beforeEach(async function () {
    context = await ringOfWallets(3);
  });

  it("keeps the last 100 ring heads across 250 rounds and the checkpoints of rounds 100 and 200 for good", async function () {
    const { ring } = context;
    const signers = context.members.slice(0, 2);
    const heads = new Map<bigint, string>();
    for (let round = 1n; round <= 250n; round++) {
      const { ringNodeHead, receipt } = await flushRound(context, signers, round);
      heads.set(round, ringNodeHead);
      if (round % 100n === 0n) {
        const checkpointed = receipt?.logs.map((log) => ring.interface.parseLog(log)).find((parsed) => parsed?.name === "Checkpointed");
        expect(checkpointed?.args.toArray()).to.deep.equal([round, ringNodeHead]);
      }
      if (round === 100n) expect(await ring.ringLog(1n)).to.equal(heads.get(1n));
      if (round === 101n) await expect(ring.ringLog(1n)).to.be.revertedWithCustomError(ring, "RingLogUnavailable").withArgs(1n);
    }
    expect(await ring.round()).to.equal(250n);
    expect(await ring.ringNodeHead()).to.equal(heads.get(250n));
    for (let round = 151n; round <= 250n; round++) expect(await ring.ringLog(round)).to.equal(heads.get(round));
    expect(await ring.ringLog(100n)).to.equal(heads.get(100n));
    expect(await ring.ringLog(200n)).to.equal(heads.get(200n));
    for (const gone of [0n, 1n, 99n, 101n, 150n, 251n]) {
      await expect(ring.ringLog(gone)).to.be.revertedWithCustomError(ring, "RingLogUnavailable").withArgs(gone);
    }
  });

  it("has no ring head for a skipped round, also after the window wraps", async function () {
    const { ring } = context;
    const signers = context.members.slice(0, 2);
    const first = await flushRound(context, signers, 1n);
    const third = await flushRound(context, signers, 3n);
    await expect(ring.ringLog(2n)).to.be.revertedWithCustomError(ring, "RingLogUnavailable").withArgs(2n);
    expect(await ring.ringLog(1n)).to.equal(first.ringNodeHead);
    const later = await flushRound(context, signers, 102n); // same slot as round 2, nothing in between
    expect(await ring.ringLog(102n)).to.equal(later.ringNodeHead);
    expect(await ring.ringLog(3n)).to.equal(third.ringNodeHead);
    await expect(ring.ringLog(2n)).to.be.revertedWithCustomError(ring, "RingLogUnavailable").withArgs(2n);
    await expect(ring.ringLog(1n)).to.be.revertedWithCustomError(ring, "RingLogUnavailable").withArgs(1n);
  });

  it("archives the first round of a span whose 100th round was skipped", async function () {
    const { ring } = context;
    const signers = context.members.slice(0, 2);
    await flushRound(context, signers, 99n);
    const first = await flushRound(context, signers, 201n);
    const checkpointed = first.receipt?.logs.map((log) => ring.interface.parseLog(log)).find((parsed) => parsed?.name === "Checkpointed");
    expect(checkpointed?.args.toArray()).to.deep.equal([201n, first.ringNodeHead]);
    await expect(ring.ringLog(100n)).to.be.revertedWithCustomError(ring, "RingLogUnavailable").withArgs(100n);
    expect(await ring.ringLog(201n)).to.equal(first.ringNodeHead);
    await flushRound(context, signers, 302n); // round 201 leaves the 100-round window
    expect(await ring.ringLog(201n)).to.equal(first.ringNodeHead);
    await expect(ring.ringLog(99n)).to.be.revertedWithCustomError(ring, "RingLogUnavailable").withArgs(99n);
  });

  it("rebuilds CIDs with the CIDv1 dag-cbor sha2-256 prefix", async function () {
    expect(await context.ring.cidPrefix()).to.equal("0x01711220");
    expect(await context.ring.CHECKPOINT_FREQUENCY()).to.equal(100n);
  });
});
