/**
 * The one place for BLS12-381 votes as the contracts take them (min-pk: keys in G1, signatures in
 * G2, contracts/libraries/BLS12381.sol): keys, proofs of possession, signatures over an
 * AggregateVote digest, their aggregate, signer bitmaps, and the EIP-2537 word encoding of points.
 * Nothing here talks to the network.
 */
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { getBytes } from "ethers";

/** Message signatures (Ethereum's consensus-layer suite with proof of possession). */
export const BLS_SIGNATURE_DST = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/** Proofs of possession: a distinct DST, so a vote can never pass as one. */
export const BLS_POP_DST = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/** The curve itself (noble-curves 2), for code that needs its fields or points beyond the helpers here. */
export const blsCurve = bls12_381;

const bls = bls12_381.longSignatures;
type G1 = ReturnType<typeof bls.getPublicKey>;
type G2 = ReturnType<typeof bls.hash>;
/** A public key (G1 point). */
export type BlsPublicKey = G1;
/** A signature or a hashed message (G2 point). */
export type BlsSignature = G2;
/** A compressed G2 point: what a vote carries over the wire. */
export const BLS_SIGNATURE_BYTES = 96;

/** A G1 point as BLS12381.G1Point: the high 128 and low 256 bits of x, then of y. */
export interface G1Words { xHi: bigint; xLo: bigint; yHi: bigint; yLo: bigint }
/** A G2 point as `uint256[8]`: x.c0, x.c1, y.c0, y.c1, each as (high, low) words. */
export type G2Words = [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

const LOW_256 = (1n << 256n) - 1n;
const split = (v: bigint): [bigint, bigint] => [v >> 256n, v & LOW_256];

export interface BlsKeyPair { secretKey: Uint8Array; publicKey: G1 }

/** A key pair derived from a 48-byte `seed`, as noble-curves' keygen does. */
export function blsKeyPair(seed: Uint8Array): BlsKeyPair {
  const { secretKey, publicKey } = bls.keygen(seed);
  return { secretKey, publicKey };
}

export function g1Words(point: G1): G1Words {
  if (point.is0()) return { xHi: 0n, xLo: 0n, yHi: 0n, yLo: 0n };
  const { x, y } = point.toAffine();
  const [xHi, xLo] = split(x);
  const [yHi, yLo] = split(y);
  return { xHi, xLo, yHi, yLo };
}

export function g2Words(point: G2): G2Words {
  if (point.is0()) return [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];
  const { x, y } = point.toAffine();
  return [...split(x.c0), ...split(x.c1), ...split(y.c0), ...split(y.c1)] as G2Words;
}

/** A G1 point from its EIP-2537 words (as `blsKeyOf` returns it), checked on the curve and in the subgroup. */
export function g1FromWords(words: G1Words): G1 {
  const point = bls12_381.G1.Point.fromAffine({ x: (words.xHi << 256n) | words.xLo, y: (words.yHi << 256n) | words.yLo });
  point.assertValidity();
  return point;
}

/** A signature from its 96-byte compressed form, refused (throws) unless on the twist and in the subgroup. */
export function signatureFromBytes(bytes: Uint8Array): G2 {
  if (bytes.length !== BLS_SIGNATURE_BYTES) throw new RangeError(`a BLS signature is ${BLS_SIGNATURE_BYTES} bytes, got ${bytes.length}`);
  return bls12_381.G2.Point.fromBytes(bytes);
}

/** One member's signature checked against its key over an already hashed message (`hashDigest`). */
export function verifySignature(signature: G2, hashed: G2, publicKey: G1): boolean {
  return bls.verify(signature, hashed, publicKey);
}

/** The message of a proof of possession: the key's 48-byte compressed encoding, then the member's address. */
export function popMessage(publicKey: G1, member: string): Uint8Array {
  const key = publicKey.toBytes(true);
  const message = new Uint8Array(key.length + 20);
  message.set(key, 0);
  message.set(getBytes(member), key.length);
  return message;
}

/** `member`'s proof that it holds `secretKey`, for `registerBlsKey`. */
export function signProofOfPossession(keys: BlsKeyPair, member: string): G2 {
  return bls.sign(bls.hash(popMessage(keys.publicKey, member), BLS_POP_DST), keys.secretKey);
}

/** A member's signature over a 32-byte digest (an AggregateVote's, see eip712.ts). */
export function signDigest(secretKey: Uint8Array, digest: string): G2 {
  return bls.sign(hashDigest(digest), secretKey);
}

/** The digest hashed onto G2 as the contract does (RFC 9380 with the signature DST). */
export function hashDigest(digest: string): G2 {
  return bls.hash(getBytes(digest), BLS_SIGNATURE_DST);
}

export function aggregateSignatures(signatures: readonly G2[]): G2 {
  return bls.aggregateSignatures([...signatures]);
}

/** The relayer's local check before it sends: the aggregate verifies for the signers' keys. */
export function verifyAggregate(signature: G2, digest: string, publicKeys: readonly G1[]): boolean {
  return bls.verify(signature, hashDigest(digest), bls.aggregatePublicKeys([...publicKeys]));
}

/** What a flush carries beside the bitmap: the registered keys (in key-index order) of every index not in `signers`, ascending. */
export function nonSignerKeys(publicKeys: readonly G1[], signers: Iterable<number>): G1Words[] {
  const signed = new Set(signers);
  return publicKeys.filter((_, index) => !signed.has(index)).map(g1Words);
}

/** The signer bitmap over `size` key indices: bit i of word i / 256 for each index signed. */
export function signerBitmap(indices: Iterable<number>, size: number): bigint[] {
  const words = Array.from({ length: Math.ceil(size / 256) }, () => 0n);
  for (const index of indices) {
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`signer index ${index} outside 0..${size - 1}`);
    words[index >> 8]! |= 1n << BigInt(index & 255);
  }
  return words;
}
