/**
 * One key, three faces: the avatar's Ethereum address, its libp2p PeerId and its signatures all
 * correspond, in both directions, and survive the encrypted keystore.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { peerIdFromString } from "@libp2p/peer-id";
import { concat, getBytes, hashMessage, hexlify, keccak256, recoverAddress, sha256, toUtf8Bytes, verifyMessage, Wallet } from "ethers";
import secp256k1 from "secp256k1";
import { addressOfPeerId, generateIdentity, identityFromPrivateKey } from "../../../node/src/identity/identity.js";
import { createKeystore, KeystoreExistsError, loadKeystore, WrongPasswordError } from "../../../node/src/identity/keystore.js";
import { recoverSigner } from "../../../node/src/core/secp256k1.js";

describe("avatar identity", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "rings-identity-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("derives the Ethereum address from the PeerId alone", () => {
    const identity = generateIdentity();
    expect(identity.peerId.type).to.equal("secp256k1");
    expect(addressOfPeerId(peerIdFromString(identity.peerId.toString()))).to.equal(identity.address);
  });

  it("a libp2p signature by the node key is an Ethereum signature by the address", async () => {
    const identity = generateIdentity();
    const message = toUtf8Bytes("ring member");
    const libp2pSignature = await identity.libp2pKey.sign(message);
    // libp2p secp256k1 signs sha256(message) with a DER signature: it verifies under the PeerId's key...
    expect(await identity.peerId.publicKey?.verify(message, libp2pSignature)).to.equal(true);
    // ...and the Ethereum signature of the same key recovers to the address derived from that PeerId.
    const ethSignature = await identity.wallet.signMessage(message);
    expect(verifyMessage(message, ethSignature)).to.equal(addressOfPeerId(identity.peerId));
    expect(recoverSigner(getBytes(hashMessage(message)), getBytes(ethSignature))).to.equal(identity.address);
  });

  it("signatures cross over: a libp2p signature recovers to the address, an Ethereum signature verifies under the PeerId", async () => {
    const identity = generateIdentity();
    const message = toUtf8Bytes("ring member");
    const digest = sha256(message); // what libp2p's secp256k1 key signs
    // libp2p -> Ethereum: the DER signature, made compact, recovers (with one recovery id) to the address.
    const compact = secp256k1.signatureImport(await identity.libp2pKey.sign(message));
    const r = hexlify(compact.subarray(0, 32));
    const s = hexlify(compact.subarray(32));
    expect([27, 28].map((v) => recoverAddress(digest, { r, s, v }))).to.include(identity.address);
    // Ethereum -> libp2p: the wallet's signature of the same digest, DER-encoded, verifies under the PeerId's key.
    const signature = identity.wallet.signingKey.sign(digest);
    const der = secp256k1.signatureExport(getBytes(concat([signature.r, signature.s])));
    expect(await identity.peerId.publicKey?.verify(message, der)).to.equal(true);
  });

  it("the same private key gives the same address and PeerId every time, and different keys differ", () => {
    const key = "0x" + "07".repeat(32);
    const a = identityFromPrivateKey(key);
    const b = identityFromPrivateKey(getBytes(key));
    expect(a.address).to.equal(new Wallet(key).address);
    expect(a.peerId.toString()).to.equal(b.peerId.toString());
    expect(identityFromPrivateKey(keccak256(key)).peerId.toString()).to.not.equal(a.peerId.toString());
  });

  it("the keystore returns the same identity with the right password, and refuses a wrong one", async () => {
    const created = await createKeystore(dir, "correct horse", { scryptN: 1024, testOnlyWeakScrypt: true });
    const loaded = await loadKeystore(dir, "correct horse");
    expect(loaded.address).to.equal(created.address);
    expect(loaded.peerId.toString()).to.equal(created.peerId.toString());
    expect(((await stat(join(dir, "keystore.json"))).mode & 0o077)).to.equal(0);
    let error: unknown;
    try {
      await loadKeystore(dir, "wrong");
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(WrongPasswordError);
  });

  it("never overwrites an existing keystore", async () => {
    await createKeystore(dir, "pw-at-least-8", { scryptN: 1024, testOnlyWeakScrypt: true });
    let error: unknown;
    try {
      await createKeystore(dir, "pw-at-least-8", { scryptN: 1024, testOnlyWeakScrypt: true });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(KeystoreExistsError);
  });
});
