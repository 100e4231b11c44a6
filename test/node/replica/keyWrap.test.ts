/**
 * ECIES delivery of read keys (node/src/replica/keyWrap.ts) and the key-block entry that carries
 * the copies (keyBlock.ts): only the member a copy is wrapped to opens it, for that ring and epoch.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { SigningKey, Wallet, getBytes } from "ethers";
import { KeyUnwrapError } from "../../../node/src/replica/errors.js";
import { asKeyBlock, keyBlockEntry, keyRequestEntry, isKeyRequest } from "../../../node/src/replica/keyBlock.js";
import { unwrapReadKey, wrapReadKey } from "../../../node/src/replica/keyWrap.js";
import { generateRingKeys } from "../../../node/src/replica/ringKeys.js";

const RING = Wallet.createRandom().address;

function member() {
  const wallet = Wallet.createRandom();
  const privateKey = getBytes(wallet.privateKey);
  return { address: wallet.address, privateKey, publicKey: getBytes(SigningKey.computePublicKey(privateKey, true)) };
}

describe("read-key wrapping (ECIES over secp256k1)", function () {
  const { readKey } = generateRingKeys();
  const alice = member();
  const bob = member();

  it("the member a copy is wrapped to opens it and gets the read key back", function () {
    const wrapped = wrapReadKey(readKey, alice.address, alice.publicKey, { ring: RING, epoch: 3 });
    expect(unwrapReadKey(wrapped, alice.privateKey, { ring: RING, epoch: 3 })).to.deep.equal(readKey);
  });

  it("another member's private key does not open it", function () {
    const wrapped = wrapReadKey(readKey, alice.address, alice.publicKey, { ring: RING, epoch: 0 });
    expect(() => unwrapReadKey(wrapped, bob.privateKey, { ring: RING, epoch: 0 })).to.throw(KeyUnwrapError);
  });

  it("a copy relabelled for another member, epoch or ring does not open", function () {
    const wrapped = wrapReadKey(readKey, alice.address, alice.publicKey, { ring: RING, epoch: 1 });
    expect(() => unwrapReadKey({ ...wrapped, member: bob.address }, alice.privateKey, { ring: RING, epoch: 1 })).to.throw(KeyUnwrapError);
    expect(() => unwrapReadKey(wrapped, alice.privateKey, { ring: RING, epoch: 2 })).to.throw(KeyUnwrapError);
    expect(() => unwrapReadKey(wrapped, alice.privateKey, { ring: Wallet.createRandom().address, epoch: 1 })).to.throw(KeyUnwrapError);
  });

  it("a tampered ciphertext, nonce or ephemeral key is refused", function () {
    const wrapped = wrapReadKey(readKey, alice.address, alice.publicKey, { ring: RING, epoch: 0 });
    const flip = (bytes: Uint8Array, at: number) => Uint8Array.from(bytes, (byte, i) => (i === at ? byte ^ 1 : byte));
    expect(() => unwrapReadKey({ ...wrapped, ct: flip(wrapped.ct, 5) }, alice.privateKey, { ring: RING, epoch: 0 })).to.throw(KeyUnwrapError);
    expect(() => unwrapReadKey({ ...wrapped, nonce: flip(wrapped.nonce, 0) }, alice.privateKey, { ring: RING, epoch: 0 })).to.throw(KeyUnwrapError);
    const otherEphemeral = member().publicKey;
    expect(() => unwrapReadKey({ ...wrapped, ephemeralPub: otherEphemeral }, alice.privateKey, { ring: RING, epoch: 0 })).to.throw(KeyUnwrapError);
  });

  it("each wrap uses a fresh ephemeral key, so two copies of one key share no bytes", function () {
    const a = wrapReadKey(readKey, alice.address, alice.publicKey, { ring: RING, epoch: 0 });
    const b = wrapReadKey(readKey, alice.address, alice.publicKey, { ring: RING, epoch: 0 });
    expect(a.ephemeralPub).to.not.deep.equal(b.ephemeralPub);
    expect(a.ct).to.not.deep.equal(b.ct);
  });
});

describe("key block entries", function () {
  const { readKey } = generateRingKeys();
  const alice = member();

  it("a key block for the ring reads back with its epoch and copies; for another ring it is none", function () {
    const entry = keyBlockEntry({ epoch: 2, ring: RING, wrapped: [wrapReadKey(readKey, alice.address, alice.publicKey, { ring: RING, epoch: 2 })] });
    const block = asKeyBlock(entry, RING);
    expect(block?.epoch).to.equal(2);
    expect(block?.wrapped.map((copy) => copy.member)).to.deep.equal([alice.address]);
    expect(asKeyBlock(entry, Wallet.createRandom().address)).to.equal(null);
  });

  it("a block without copies, with a negative epoch or a short ciphertext is malformed", function () {
    const copy = wrapReadKey(readKey, alice.address, alice.publicKey, { ring: RING, epoch: 0 });
    expect(asKeyBlock({ keys: { epoch: 0, ring: RING, wrapped: [] } }, RING)).to.equal(null);
    expect(asKeyBlock({ keys: { epoch: -1, ring: RING, wrapped: [copy] } }, RING)).to.equal(null);
    expect(asKeyBlock({ keys: { epoch: 0, ring: RING, wrapped: [{ ...copy, ct: copy.ct.slice(1) }] } }, RING)).to.equal(null);
  });

  it("a key request names its ring", function () {
    expect(isKeyRequest(keyRequestEntry(RING), RING)).to.equal(true);
    expect(isKeyRequest(keyRequestEntry(RING), Wallet.createRandom().address)).to.equal(false);
  });
});
