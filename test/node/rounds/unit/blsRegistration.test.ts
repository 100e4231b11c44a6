/**
 * A BLS ring's member registers its key on start (rounds/ringSigning.ts), with fakes for the chain
 * view and the writer: once, with the proof of possession of its derived key; not at all when its
 * key is registered already or it is not a member; again after a failed attempt; and an ECDSA ring
 * gets the ECDSA vote scheme and no registration.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { describe, it } from "mocha";
import { pino } from "pino";
import type { BlsKeySet, RegisteredBlsKey } from "../../../../node/src/chain/blsKeys.js";
import { CallRefusedError } from "../../../../node/src/chain/index.js";
import { g1Words, g2Words, signProofOfPossession, type G1Words, type G2Words } from "../../../../node/src/core/bls.js";
import { identityFromPrivateKey } from "../../../../node/src/identity/identity.js";
import { ringSigning, type RingSigningComponents } from "../../../../node/src/rounds/ringSigning.js";

const me = identityFromPrivateKey(Wallet.createRandom().privateKey);

interface Fake {
  components: RingSigningComponents;
  sent: Array<{ key: G1Words; pop: G2Words }>;
}

/** A BLS ring whose registry holds `registered`; the writer fails its first `failures` sends, then registers. */
function fakeRing(options: { scheme?: "ecdsa" | "bls"; member?: boolean; registered?: RegisteredBlsKey[]; failures?: number; refuse?: string }): Fake {
  const keys: RegisteredBlsKey[] = [...(options.registered ?? [])];
  const sent: Fake["sent"] = [];
  let failures = options.failures ?? 0;
  const book = { keys: (): Promise<BlsKeySet> => Promise.resolve({ byMember: new Map(keys.map((k) => [k.member, k])), byIndex: keys }), invalidate: () => undefined };
  const components = {
    chain: { isMember: () => options.member ?? true, scheme: () => options.scheme ?? "bls", blsKeys: () => book, onEvent: () => () => undefined },
    signer: me,
    writer: {
      flush: () => Promise.reject(new Error("no flush here")),
      flushAggregate: () => Promise.reject(new Error("no flush here")),
      registerBlsKey: (key: G1Words, pop: G2Words) => {
        sent.push({ key, pop });
        if (options.refuse !== undefined) return Promise.reject(new CallRefusedError("refused", options.refuse));
        if (failures-- > 0) return Promise.reject(new Error("nonce too low"));
        keys.push({ member: me.address, index: keys.length, key: me.blsKeys.publicKey });
        return Promise.resolve({ hash: "0x01", gasUsed: 1n, blockNumber: 1 });
      },
    },
    logger: pino({ level: "silent" }),
    signal: AbortSignal.timeout(10_000),
    retryMs: 10,
  } as unknown as RingSigningComponents;
  return { components, sent };
}

describe("BLS key registration on start", function () {
  it("registers the derived key once, with its proof of possession", async function () {
    const { components, sent } = fakeRing({});
    const { scheme, registration } = ringSigning(components);
    expect(scheme.name).to.equal("bls");
    await registration?.ensure();
    await registration?.ensure();
    expect(sent).to.deep.equal([{ key: g1Words(me.blsKeys.publicKey), pop: g2Words(signProofOfPossession(me.blsKeys, me.address)) }]);
  });

  it("sends nothing when the member's key is registered already", async function () {
    const { components, sent } = fakeRing({ registered: [{ member: me.address, index: 0, key: me.blsKeys.publicKey }] });
    await ringSigning(components).registration?.ensure();
    expect(sent).to.have.length(0);
  });

  it("sends nothing when this node is not a member", async function () {
    const { components, sent } = fakeRing({ member: false });
    await ringSigning(components).registration?.ensure();
    expect(sent).to.have.length(0);
  });

  it("tries again after a failed attempt", async function () {
    const { components, sent } = fakeRing({ failures: 2 });
    await ringSigning(components).registration?.ensure();
    expect(sent).to.have.length(3);
  });

  it("stops at the contract's refusal of a non-registrant instead of retrying", async function () {
    const { components, sent } = fakeRing({ refuse: "NotABlsRegistrant(0x00)" });
    await ringSigning(components).registration?.ensure();
    expect(sent).to.have.length(1);
  });

  it("an ECDSA ring gets the ECDSA scheme and no registration", function () {
    const { scheme, registration } = ringSigning(fakeRing({ scheme: "ecdsa" }).components);
    expect(scheme.name).to.equal("ecdsa");
    expect(registration).to.equal(null);
  });
});
