/**
 * A BLS ring's round votes (rounds/blsVotes.ts) with fakes for the chain: the key registry is a
 * fixed key set, the writer records what it would send. The relayer keeps a vote only if its BLS
 * signature is the member's, under its registered key, over the round asked (anything else that
 * arrives, of any shape, is dropped without throwing); it aggregates the quorum's signatures,
 * checks the aggregate before sending, and sends the bitmap of the signers' key indices with the
 * other members' keys in index order.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { expect } from "chai";
import { Wallet } from "ethers";
import { describe, it } from "mocha";
import { pino } from "pino";
import type { BlsKeySet, RegisteredBlsKey } from "../../../../node/src/chain/blsKeys.js";
import type { AggregateFlushInput } from "../../../../node/src/chain/ringWriter.js";
import { blsKeyPair, g1Words, signDigest, verifyAggregate, type BlsKeyPair } from "../../../../node/src/core/bls.js";
import { ringDomain } from "../../../../node/src/core/eip712.js";
import { NO_OUTPUTS, type SignedVote } from "../../../../node/src/core/ringVotes.js";
import { AggregateCheckError, askedDigest, blsVotes } from "../../../../node/src/rounds/blsVotes.js";
import type { RoundsAnswer } from "../../../../node/src/rounds/roundsProtocol.js";
import type { AskedVote } from "../../../../node/src/rounds/voteCollection.js";
import { signRoundVote, type VoteScheme } from "../../../../node/src/rounds/voteScheme.js";

const RING = Wallet.createRandom().address;
const ASKED: AskedVote = { domain: ringDomain(31337n, RING), round: 7n, membershipEpoch: 2n, ringNodeHead: `0x${"22".repeat(32)}`, headsRoot: `0x${"44".repeat(32)}`, outputs: NO_OUTPUTS };
const wallets = Array.from({ length: 5 }, () => new Wallet(Wallet.createRandom().privateKey));
const blsOf = wallets.map((_, i) => blsKeyPair(new TextEncoder().encode(`bls-votes-unit-${i}`.padEnd(48, "#"))));
/** Members 0..3 registered keys 0..3; member 4 is a member without a key. */
const registered: RegisteredBlsKey[] = wallets.slice(0, 4).map((wallet, index) => ({ member: wallet.address, index, key: (blsOf[index] as BlsKeyPair).publicKey }));
const KEYS: BlsKeySet = { byMember: new Map(registered.map((entry) => [entry.member, entry])), byIndex: registered };
const signal = AbortSignal.timeout(30_000);

/** Member `i`'s scheme (its secret key) and what its writer was given to send. */
function schemeOf(i: number): { scheme: VoteScheme; sent: AggregateFlushInput[] } {
  const sent: AggregateFlushInput[] = [];
  const writer = {
    flushAggregate: (input: AggregateFlushInput) => {
      sent.push(input);
      return Promise.resolve({ hash: `0x${"ab".repeat(32)}`, gasUsed: 1n, blockNumber: 1 });
    },
  };
  const scheme = blsVotes({ keys: { keys: () => Promise.resolve(KEYS) }, writer, secretKey: (blsOf[i] as BlsKeyPair).secretKey, logger: pino({ level: "silent" }) });
  return { scheme, sent };
}

/** Member `i`'s vote on `asked` as its node signs it (ECDSA Vote and BLS signature). */
function voteOf(i: number, asked: AskedVote = ASKED): Promise<SignedVote> {
  return signRoundVote(wallets[i] as Wallet, schemeOf(i).scheme, asked, `0x${"33".repeat(32)}`);
}

describe("BLS round votes", function () {
  this.timeout(60_000);
  const relayer = schemeOf(0);

  it("a member's vote carries its BLS signature, which survives the rounds protocol's encoding and is accepted", async function () {
    const vote = await voteOf(1);
    expect(vote.bls).to.be.instanceOf(Uint8Array).with.length(96);
    const answer = dagCbor.decode<RoundsAnswer>(dagCbor.encode({ kind: "vote", vote } satisfies RoundsAnswer));
    expect(answer.kind === "vote" && (await relayer.scheme.accept(ASKED, wallets[1]!.address, answer.vote, signal))).to.equal(true);
  });

  it("refuses a signature by another member's key", async function () {
    const vote = await voteOf(2);
    expect(await relayer.scheme.accept(ASKED, wallets[1]!.address, vote, signal)).to.equal(false);
  });

  it("refuses a signature over another round or another membership epoch", async function () {
    expect(await relayer.scheme.accept(ASKED, wallets[1]!.address, await voteOf(1, { ...ASKED, round: 8n }), signal)).to.equal(false);
    expect(await relayer.scheme.accept(ASKED, wallets[1]!.address, await voteOf(1, { ...ASKED, membershipEpoch: 1n }), signal)).to.equal(false);
  });

  it("refuses the vote of a member without a registered key, even if its signature is sound", async function () {
    const vote = { ...(await voteOf(1)), bls: signDigest((blsOf[4] as BlsKeyPair).secretKey, askedDigest(ASKED)).toBytes(true) };
    expect(await relayer.scheme.accept(ASKED, wallets[4]!.address, vote, signal)).to.equal(false);
  });

  it("drops malformed signatures without throwing: none, a wrong length, bytes off the curve, not bytes at all", async function () {
    const vote = await voteOf(1);
    const shapes: unknown[] = [undefined, new Uint8Array(95), new Uint8Array(96).fill(0xff), new Uint8Array(97), "0x1234", 42, { bytes: vote.bls }];
    for (const bls of shapes) expect(await relayer.scheme.accept(ASKED, wallets[1]!.address, { ...vote, bls } as SignedVote, signal), String(bls)).to.equal(false);
  });

  it("flushes 3 of 4 votes as one aggregate that verifies for the signers, with their bitmap and the non-signer's key", async function () {
    const votes = await Promise.all([0, 2, 3].map((i) => voteOf(i)));
    const { scheme, sent } = schemeOf(0);
    await scheme.flush(ASKED, votes, [], signal);
    expect(sent).to.have.length(1);
    const input = sent[0] as AggregateFlushInput;
    expect(input.signerBitmap).to.deep.equal([0b1101n]);
    expect(input.nonSignerKeys).to.deep.equal([g1Words((blsOf[1] as BlsKeyPair).publicKey)]);
    expect([input.round, input.ringNodeHead]).to.deep.equal([ASKED.round, ASKED.ringNodeHead]);
    const { blsCurve } = await import("../../../../node/src/core/bls.js");
    const [x0h, x0l, x1h, x1l, y0h, y0l, y1h, y1l] = input.signature;
    const join = (hi: bigint, lo: bigint) => (hi << 256n) | lo;
    const Fp2 = blsCurve.fields.Fp2;
    const point = blsCurve.G2.Point.fromAffine({ x: Fp2.create({ c0: join(x0h, x0l), c1: join(x1h, x1l) }), y: Fp2.create({ c0: join(y0h, y0l), c1: join(y1h, y1l) }) });
    expect(verifyAggregate(point, askedDigest(ASKED), [0, 2, 3].map((i) => (blsOf[i] as BlsKeyPair).publicKey))).to.equal(true);
  });

  it("leaves out votes of members without a key from the aggregate", async function () {
    const votes = [...(await Promise.all([0, 1, 2].map((i) => voteOf(i)))), { ...(await voteOf(4)), bls: signDigest((blsOf[4] as BlsKeyPair).secretKey, askedDigest(ASKED)).toBytes(true) }];
    const { scheme, sent } = schemeOf(0);
    await scheme.flush(ASKED, votes, [], signal);
    expect(sent[0]?.signerBitmap).to.deep.equal([0b0111n]);
  });

  it("does not send an aggregate that fails its local check (a signature that slipped past the receipt check)", async function () {
    const votes = [await voteOf(0), await voteOf(1), { ...(await voteOf(2)), bls: (await voteOf(3)).bls }];
    const { scheme, sent } = schemeOf(0);
    const refused = await scheme.flush(ASKED, votes, [], signal).catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(AggregateCheckError);
    expect(sent).to.have.length(0);
  });
});
