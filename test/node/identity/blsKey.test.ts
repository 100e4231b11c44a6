/**
 * A member's BLS key is derived from its avatar key (identity/blsKey.ts): the same on every start,
 * from any keystore (one written before BLS rings existed loads unchanged), distinct per avatar, and
 * not the key a plain KeyGen of the avatar key would give (the derivation is domain-separated).
 */
import { readFile, writeFile } from "node:fs/promises";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { expect } from "chai";
import { encryptKeystoreJson, Wallet } from "ethers";
import { after, describe, it } from "mocha";
import { blsKeyPair } from "../../../node/src/core/bls.js";
import { blsKeysOfAvatar } from "../../../node/src/identity/blsKey.js";
import { identityFromPrivateKey } from "../../../node/src/identity/identity.js";
import { createKeystore, keystorePath, loadKeystore } from "../../../node/src/identity/keystore.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const dirs = tempDirs("rings-bls-key");
const PASSWORD = "bls key test password";

describe("a member's BLS key", function () {
  after(() => dirs.cleanup());

  it("is derived from the avatar key: the same key each time, another for another avatar", function () {
    const avatar = Wallet.createRandom().privateKey;
    const once = identityFromPrivateKey(avatar).blsKeys;
    const again = identityFromPrivateKey(avatar).blsKeys;
    expect(again.publicKey.equals(once.publicKey)).to.equal(true);
    expect(identityFromPrivateKey(Wallet.createRandom().privateKey).blsKeys.publicKey.equals(once.publicKey)).to.equal(false);
  });

  it("is domain-separated: HKDF of the avatar key without the derivation's salt and info gives another key", function () {
    const raw = Uint8Array.from(Buffer.from(Wallet.createRandom().privateKey.slice(2), "hex"));
    const undistinguished = blsKeyPair(hkdf(sha256, raw, undefined, undefined, 48));
    expect(blsKeysOfAvatar(raw).publicKey.equals(undistinguished.publicKey)).to.equal(false);
  });

  it("comes with a keystore written before BLS rings (an unchanged Ethereum JSON keystore), which loading leaves as it was", async function () {
    const dataDir = await dirs.make("old");
    const wallet = Wallet.createRandom();
    await writeFile(keystorePath(dataDir), await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, PASSWORD, { scrypt: { N: 1024 } }));
    const before = await readFile(keystorePath(dataDir), "utf8");
    const loaded = await loadKeystore(dataDir, PASSWORD);
    expect(loaded.address).to.equal(wallet.address);
    expect(loaded.blsKeys.publicKey.equals(identityFromPrivateKey(wallet.privateKey).blsKeys.publicKey)).to.equal(true);
    expect(await readFile(keystorePath(dataDir), "utf8")).to.equal(before);
  });

  it("is the same after a new keystore is written and loaded again", async function () {
    const dataDir = await dirs.make("new");
    const created = await createKeystore(dataDir, PASSWORD, { scryptN: 1024, testOnlyWeakScrypt: true });
    const loaded = await loadKeystore(dataDir, PASSWORD);
    expect(loaded.blsKeys.publicKey.equals(created.blsKeys.publicKey)).to.equal(true);
  });
});
