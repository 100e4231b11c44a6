/**
 * ECIES over secp256k1 for read keys: one wrapped copy per member, readable only with that
 * member's avatar private key. The writer makes a fresh ephemeral key pair, derives a 32-byte
 * wrapping key with HKDF-SHA256 from the ECDH shared point (salt: the ephemeral public key; info:
 * a domain tag, the ring, the epoch and the member), and seals the read key with
 * XChaCha20-Poly1305 (same bytes as associated data). A copy lifted into another ring, epoch or
 * member's slot does not open; a flipped bit does not open.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "@noble/ciphers/utils.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { getAddress, getBytes, toBeArray, zeroPadValue } from "ethers";
import { KeyUnwrapError } from "./errors.js";
import { RING_KEY_BYTES } from "./ringKeys.js";

/** One member's copy of a read key. */
export interface WrappedKey {
  member: string;
  /** Compressed (33-byte) ephemeral public key. */
  ephemeralPub: Uint8Array;
  nonce: Uint8Array;
  ct: Uint8Array;
}

export interface WrapContext {
  ring: string;
  epoch: number;
}

function info(context: WrapContext, member: string): Uint8Array {
  const tag = new TextEncoder().encode("rings/read-key-wrap/v1");
  const epoch = getBytes(zeroPadValue(toBeArray(context.epoch), 8));
  const parts = [tag, getBytes(getAddress(context.ring)), epoch, getBytes(getAddress(member))];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function wrappingKey(shared: Uint8Array, ephemeralPub: Uint8Array, bound: Uint8Array): Uint8Array {
  return hkdf(sha256, shared.subarray(1), ephemeralPub, bound, 32);
}

/** The read key wrapped to `memberPublicKey` (33 or 65 bytes) for `member` (its address). */
export function wrapReadKey(readKey: Uint8Array, member: string, memberPublicKey: Uint8Array, context: WrapContext): WrappedKey {
  const ephemeral = secp256k1.utils.randomSecretKey();
  const ephemeralPub = secp256k1.getPublicKey(ephemeral, true);
  const shared = secp256k1.getSharedSecret(ephemeral, memberPublicKey, true);
  const bound = info(context, member);
  const nonce = randomBytes(24);
  const ct = xchacha20poly1305(wrappingKey(shared, ephemeralPub, bound), nonce, bound).encrypt(readKey);
  return { member: getAddress(member), ephemeralPub, nonce, ct };
}

/** The read key in `wrapped`, opened with the member's private key; throws KeyUnwrapError otherwise. */
export function unwrapReadKey(wrapped: WrappedKey, privateKey: Uint8Array, context: WrapContext): Uint8Array {
  const bound = info(context, wrapped.member);
  let key: Uint8Array;
  try {
    const shared = secp256k1.getSharedSecret(privateKey, wrapped.ephemeralPub, true);
    key = xchacha20poly1305(wrappingKey(shared, wrapped.ephemeralPub, bound), wrapped.nonce, bound).decrypt(wrapped.ct);
  } catch {
    throw new KeyUnwrapError(`the key copy for ${wrapped.member} does not open with this private key (another member's copy, or tampered)`);
  }
  if (key.length !== RING_KEY_BYTES) throw new KeyUnwrapError(`an unwrapped read key is ${RING_KEY_BYTES} bytes, got ${key.length}`);
  return key;
}
