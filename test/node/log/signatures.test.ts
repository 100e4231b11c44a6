/**
 * The fast signing path (libsecp256k1 + cached EIP-712 domain) gives exactly the signatures and
 * recoveries of the reference path (ethers' typed-data signer), so the contract's fork proof and
 * the node agree on every log node.
 */
import { expect } from "chai";
import { getBytes, hexlify, recoverAddress, Signature, Wallet } from "ethers";
import { logNodeDigest, logNodeHasher, ringDomain } from "../../../node/src/core/eip712.js";
import { decodeLogNode, encodeLogNode, recoverLogNodeAuthor, signLogNode, signLogNodeWithKey, type LogNodeBody } from "../../../node/src/core/logNode.js";
import { InvalidSignatureError, recoverSigner, signDigest } from "../../../node/src/core/secp256k1.js";

const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("log node signatures", () => {
  const author = new Wallet("0x" + "42".repeat(32));
  const domain = ringDomain(31337n, "0x" + "ab".repeat(20));
  const body = (seq: number): LogNodeBody => ({ v: 1, ring: String(domain.verifyingContract), author: author.address, seq, prev: [], ts: 1_700_000_000_000, payload: { n: seq } });

  it("the cached LogNode hasher equals the EIP-712 typed-data hash for any seq", () => {
    const hasher = logNodeHasher(domain);
    const digest = "0x" + "5a".repeat(32);
    for (const seq of [0n, 1n, 255n, 256n, 2n ** 32n + 7n, 2n ** 64n - 1n]) {
      expect(hexlify(hasher(seq, getBytes(digest)))).to.equal(logNodeDigest(domain, { seq, digest }));
    }
  });

  it("signing with the raw key produces the same node (CID and bytes) as ethers' typed-data signer", async () => {
    for (const seq of [0, 1, 99]) {
      const reference = await signLogNode(body(seq), author, domain);
      const fast = await signLogNodeWithKey(body(seq), getBytes(author.privateKey), domain);
      expect(fast.cid.toString()).to.equal(reference.cid.toString());
      expect(hexlify(fast.bytes)).to.equal(hexlify(reference.bytes));
    }
  });

  it("recovers the author of a decoded node, as ethers' recoverAddress does", async () => {
    const node = await decodeLogNode((await signLogNodeWithKey(body(7), getBytes(author.privateKey), domain)).bytes);
    expect(recoverLogNodeAuthor(node, domain)).to.equal(author.address);
    expect(recoverAddress(logNodeDigest(domain, { seq: 7n, digest: node.digest }), hexlify(node.node.sig))).to.equal(author.address);
  });

  it("a node signed under another ring's domain recovers to someone else", async () => {
    const other = ringDomain(31337n, "0x" + "cd".repeat(20));
    const node = await signLogNodeWithKey(body(3), getBytes(author.privateKey), other);
    expect(recoverLogNodeAuthor(node, domain)).to.not.equal(author.address);
  });

  it("refuses the high-s twin of a valid signature, as OpenZeppelin's ECDSA does", async () => {
    const node = await signLogNodeWithKey(body(1), getBytes(author.privateKey), domain);
    const sig = Signature.from(hexlify(node.node.sig));
    const highS = BigInt(sig.s);
    const twin = new Uint8Array(65);
    twin.set(getBytes(sig.r), 0);
    twin.set(getBytes("0x" + (SECP256K1_ORDER - highS).toString(16).padStart(64, "0")), 32);
    twin[64] = sig.v === 27 ? 28 : 27;
    const tampered = await encodeLogNode({ ...node.node, sig: twin });
    expect(() => recoverLogNodeAuthor(tampered, domain)).to.throw(InvalidSignatureError, /high/);
  });

  it("signDigest and recoverSigner round-trip for random keys", () => {
    for (let i = 0; i < 20; i++) {
      const wallet = Wallet.createRandom();
      const digest = getBytes(hexlify(crypto.getRandomValues(new Uint8Array(32))));
      const signature = signDigest(getBytes(wallet.privateKey), digest);
      expect(recoverSigner(digest, signature)).to.equal(wallet.address);
      expect(hexlify(signature)).to.equal(wallet.signingKey.sign(digest).serialized);
    }
  });
});
