/**
 * The node's fast ForwardRequest hashing and signer recovery agree with ethers' EIP-712 encoder
 * (an independent implementation) on random requests, and refuse what OpenZeppelin's ECDSA refuses.
 */
import { expect } from "chai";
import { getAddress, hexlify, randomBytes, Signature, TypedDataEncoder, Wallet } from "ethers";
import {
  FORWARD_REQUEST_TYPES,
  forwardRequestDigest,
  signForwardRequest,
  tryRecoverForwardRequestSigner,
  type ForwardRequest,
} from "../../../node/src/relay/forwardRequest.js";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function randomAddress(): string {
  return getAddress(hexlify(randomBytes(20)));
}

function randomRequest(from: string): ForwardRequest {
  const big = (bytes: number) => BigInt(hexlify(randomBytes(bytes)));
  return {
    from,
    to: randomAddress(),
    value: big(1 + Math.floor(Math.random() * 31)),
    gas: big(4),
    nonce: big(1 + Math.floor(Math.random() * 31)),
    deadline: big(6),
    data: hexlify(randomBytes(Math.floor(Math.random() * 300))),
  };
}

describe("ForwardRequest hashing", function () {
  const domain = { name: "RingsForwarder", version: "1", chainId: 31337n, verifyingContract: randomAddress() };

  it("equals ethers' TypedDataEncoder digest for 200 random requests", function () {
    for (let i = 0; i < 200; i++) {
      const request = randomRequest(randomAddress());
      expect(forwardRequestDigest(domain, request)).to.equal(TypedDataEncoder.hash(domain, FORWARD_REQUEST_TYPES, request));
    }
  });

  it("recovers the signer of an ethers signature, and nobody from its high-s twin", async function () {
    const signer = new Wallet(hexlify(randomBytes(32)));
    const request = randomRequest(signer.address);
    const signature = await signForwardRequest(signer, domain, request);
    const parsed = Signature.from(signature);
    const twin = hexlify(new Uint8Array([...Buffer.from(parsed.r.slice(2), "hex"), ...Buffer.from((SECP256K1_N - BigInt(parsed.s)).toString(16).padStart(64, "0"), "hex"), parsed.v === 27 ? 28 : 27]));

    expect(tryRecoverForwardRequestSigner(domain, request, signature)).to.equal(signer.address);
    expect(tryRecoverForwardRequestSigner(domain, request, twin)).to.equal(null);
    expect(tryRecoverForwardRequestSigner(domain, { ...request, nonce: request.nonce + 1n }, signature)).to.not.equal(signer.address);
  });
});
