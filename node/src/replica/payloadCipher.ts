/**
 * Read-key encryption of log-node payloads: XChaCha20-Poly1305 (random 24-byte nonces are safe)
 * over the dag-cbor encoding of the payload, with the ring and author as associated data so a
 * ciphertext cannot be passed off as another ring's or another member's.
 *
 * The member encrypts before it signs, so the signed log node carries the ciphertext: replica nodes
 * verify signatures and links without the read key, and a reader with the key checks integrity
 * twice (signature and Poly1305 tag).
 */
import * as dagCbor from "@ipld/dag-cbor";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "@noble/ciphers/utils.js";
import { getAddress, getBytes } from "ethers";

export const PAYLOAD_CIPHER = "xchacha20poly1305";

/** The payload a log node carries when it is encrypted. */
export interface EncryptedPayload {
  enc: typeof PAYLOAD_CIPHER;
  nonce: Uint8Array;
  ct: Uint8Array;
}

export interface PayloadContext {
  ring: string;
  author: string;
}

export class PayloadDecryptionError extends Error {
  override name = "PayloadDecryptionError";
}

export function isEncryptedPayload(payload: unknown): payload is EncryptedPayload {
  if (payload === null || typeof payload !== "object") return false;
  const candidate = payload as Partial<EncryptedPayload>;
  return candidate.enc === PAYLOAD_CIPHER && candidate.nonce instanceof Uint8Array && candidate.nonce.length === 24 && candidate.ct instanceof Uint8Array;
}

function associatedData(context: PayloadContext): Uint8Array {
  const tag = new TextEncoder().encode("rings/payload/v1");
  const ring = getBytes(getAddress(context.ring));
  const author = getBytes(getAddress(context.author));
  const aad = new Uint8Array(tag.length + ring.length + author.length);
  aad.set(tag);
  aad.set(ring, tag.length);
  aad.set(author, tag.length + ring.length);
  return aad;
}

/** Encrypts any dag-cbor value (objects, strings, bytes, CIDs) with the ring's read key. */
export function encryptPayload(readKey: Uint8Array, payload: unknown, context: PayloadContext): EncryptedPayload {
  const nonce = randomBytes(24);
  const ct = xchacha20poly1305(readKey, nonce, associatedData(context)).encrypt(dagCbor.encode(payload));
  return { enc: PAYLOAD_CIPHER, nonce, ct };
}

export function decryptPayload(readKey: Uint8Array, envelope: unknown, context: PayloadContext): unknown {
  if (!isEncryptedPayload(envelope)) throw new PayloadDecryptionError("payload is not an encrypted envelope");
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(readKey, envelope.nonce, associatedData(context)).decrypt(envelope.ct);
  } catch {
    throw new PayloadDecryptionError("payload does not decrypt with this read key (wrong key, ring or author, or tampered)");
  }
  return dagCbor.decode(plaintext);
}
