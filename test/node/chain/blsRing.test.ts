/**
 * The node's chain side of a BLS ring against a real `hardhat node` (EIP-2537 on Prague): the chain
 * view tells a BlsRing from a Ring, members register the keys derived from their avatar keys through
 * the rounds' writer (with the proof of possession; once), the key book reads them back in index
 * order, and the relayer's aggregate of 3 of 4 members (blsVotes.ts) is what `flushAggregate`
 * accepts, while one over another round is refused with the contract's own error.
 */
import { expect } from "chai";
import { after, before, describe, it } from "mocha";
import { g1Words, g2Words, signDigest, signProofOfPossession } from "../../../node/src/core/bls.js";
import { outputsHash } from "../../../node/src/core/eip712.js";
import { NO_OUTPUTS } from "../../../node/src/core/ringVotes.js";
import { CallRefusedError, RingChainView, RingWriter } from "../../../node/src/chain/index.js";
import { identityFromPrivateKey, type RingIdentity } from "../../../node/src/identity/identity.js";
import { aggregateFlush, askedDigest } from "../../../node/src/rounds/blsVotes.js";
import type { AskedVote } from "../../../node/src/rounds/voteCollection.js";
import { BlsRing__factory } from "../../../types/index.js";
import { hardhatAccount, startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { createBlsRing, createRing, deployRingsContracts } from "../../../scripts/devnet/ringsOnChain.js";

describe("a BLS ring on chain, as the node reads and writes it", function () {
  this.timeout(120_000);
  let chain: HardhatNode;
  let ring: string;
  let plainRing: string;
  let view: RingChainView;
  const members: RingIdentity[] = [1, 2, 3, 4].map((i) => identityFromPrivateKey(hardhatAccount(i).privateKey));
  const outsider = identityFromPrivateKey(hardhatAccount(9).privateKey);
  const writerOf = (member: RingIdentity) => new RingWriter(ring, member.wallet, chain.provider);

  before(async function () {
    chain = await startHardhatNode();
    const contracts = await deployRingsContracts(chain.account(0));
    const owner = await chain.account(0).getAddress();
    ring = await createBlsRing(contracts.factory, members.map((m) => m.address), owner);
    plainRing = await createRing(contracts.factory, members.map((m) => m.address), owner);
    view = await RingChainView.connect({ rpcUrl: chain.url, ring, pollMs: 100 });
  });

  after(async function () {
    await view?.stop();
    await chain?.stop();
  });

  it("tells a BlsRing from a Ring by its scheme", async function () {
    expect(view.scheme()).to.equal("bls");
    expect(view.blsKeys()).to.not.equal(null);
    const plain = await RingChainView.connect({ rpcUrl: chain.url, ring: plainRing });
    try {
      expect(plain.scheme()).to.equal("ecdsa");
      expect(plain.blsKeys()).to.equal(null);
    } finally {
      await plain.stop();
    }
  });

  it("registers each member's derived key with its proof of possession, once; the key book reads them in index order", async function () {
    for (const member of members) {
      const sent = await writerOf(member).registerBlsKey(g1Words(member.blsKeys.publicKey), g2Words(signProofOfPossession(member.blsKeys, member.address)));
      expect(sent?.hash).to.match(/^0x[0-9a-f]{64}$/);
    }
    const again = await writerOf(members[0] as RingIdentity).registerBlsKey(g1Words(members[0]!.blsKeys.publicKey), g2Words(signProofOfPossession(members[0]!.blsKeys, members[0]!.address)));
    expect(again, "a registered member sends nothing").to.equal(null);
    await view.poll();
    const keys = await view.blsKeys()!.keys();
    expect(keys.byIndex.map((entry) => entry.member)).to.deep.equal(members.map((m) => m.address));
    for (const [index, member] of members.entries()) expect(keys.byIndex[index]?.key.equals(member.blsKeys.publicKey)).to.equal(true);
  });

  it("refuses a non-member's registration in simulation, naming the contract's error, without sending", async function () {
    const before = await chain.provider.getTransactionCount(outsider.address);
    const writer = new RingWriter(ring, outsider.wallet, chain.provider);
    const refused = await writer.registerBlsKey(g1Words(outsider.blsKeys.publicKey), g2Words(signProofOfPossession(outsider.blsKeys, outsider.address))).catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(CallRefusedError);
    expect((refused as CallRefusedError).reason).to.match(/^NotABlsRegistrant\(/);
    expect(await chain.provider.getTransactionCount(outsider.address)).to.equal(before);
  });

  it("flushes a round with the aggregate of 3 of 4 members' votes; the chain records the signer bitmap", async function () {
    const asked: AskedVote = { domain: view.domain, round: 1n, membershipEpoch: view.membershipEpoch(), ringNodeHead: `0x${"12".repeat(32)}`, headsRoot: `0x${"56".repeat(32)}`, outputs: NO_OUTPUTS };
    const contract = BlsRing__factory.connect(ring, chain.provider);
    expect(await contract.aggregateVoteDigest(1n, asked.membershipEpoch, asked.ringNodeHead, asked.headsRoot, outputsHash(NO_OUTPUTS)), "the digest members sign is the contract's").to.equal(askedDigest(asked));
    const signers = members.slice(0, 3);
    const votes = signers.map((member) => ({ signer: member.address, logHead: "0x", r: "0x", vs: "0x", membershipEpoch: asked.membershipEpoch, bls: signDigest(member.blsKeys.secretKey, askedDigest(asked)).toBytes(true) }));
    const input = aggregateFlush(asked, await view.blsKeys()!.keys(), votes);
    expect(input.signerBitmap).to.deep.equal([0b0111n]);
    expect(input.nonSignerKeys).to.deep.equal([g1Words(members[3]!.blsKeys.publicKey)]);
    const sent = await writerOf(members[1] as RingIdentity).flushAggregate(input);
    expect(sent.gasUsed).to.be.lessThan(400_000n);
    expect(await contract.round()).to.equal(1n);
    expect(await contract.ringNodeHead()).to.equal(asked.ringNodeHead);
  });

  it("refuses an aggregate signed over another round with InvalidAggregateSignature", async function () {
    const asked: AskedVote = { domain: view.domain, round: 2n, membershipEpoch: view.membershipEpoch(), ringNodeHead: `0x${"34".repeat(32)}`, headsRoot: `0x${"56".repeat(32)}`, outputs: NO_OUTPUTS };
    const votes = members.map((member) => ({ signer: member.address, logHead: "0x", r: "0x", vs: "0x", membershipEpoch: asked.membershipEpoch, bls: signDigest(member.blsKeys.secretKey, askedDigest({ ...asked, round: 3n })).toBytes(true) }));
    // A correct aggregate for round 3 (the local check passes), sent as round 2's.
    const input = aggregateFlush({ ...asked, round: 3n }, await view.blsKeys()!.keys(), votes);
    const contract = BlsRing__factory.connect(ring, chain.account(0));
    const refused = await contract.flushAggregate.staticCall(2n, input.ringNodeHead, input.headsRoot, { ...NO_OUTPUTS, pins: [], cids: [] }, { signerBitmap: [...input.signerBitmap], nonSignerKeys: [...input.nonSignerKeys], signature: [...input.signature] }, []).catch((error: unknown) => error);
    expect(String((refused as { revert?: { name?: string } }).revert?.name ?? refused)).to.contain("InvalidAggregateSignature");
  });
});
