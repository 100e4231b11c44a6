/**
 * A member's BLS12-381 key (min-pk: the key in G1, signatures in G2, core/bls.ts), derived from its
 * avatar key rather than stored beside it: HKDF-SHA256 (RFC 5869) of the 32-byte secp256k1 key with
 * its own salt and info (domain separation: no other use of the avatar key shares them) gives 48
 * bytes of keying material, which noble-curves' KeyGen reduces to the BLS secret key.
 *
 * Why derived, not a second stored key: the keystore is an Ethereum JSON keystore (V3), which holds
 * exactly one key and stays readable by any Ethereum wallet; a derived key needs no new file
 * format, no migration of existing keystores (they are loaded unchanged, and a node that started
 * before BLS existed gets the same BLS key on every start), and no second secret to back up. It is
 * exactly as protected as the avatar key (encrypted at rest by the same scrypt keystore); HKDF is
 * one-way, so a leaked BLS key does not reveal the avatar key. What it gives up: the BLS key cannot
 * be rotated alone (a new one means a new avatar, which is also a new member), which is what the
 * contract allows anyway (one key per member, kept until the member leaves).
 */
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha256";
import { blsKeyPair, type BlsKeyPair } from "../core/bls.js";

/** HKDF salt: names the derivation and its version (a change of scheme is a new salt). */
export const BLS_KEY_SALT = "rings/avatar-key-to-bls12-381/v1";
/** HKDF info: what the output is for. */
export const BLS_KEY_INFO = "BLS12-381 min-pk vote signing key";
/** Keying material length: 48 bytes, as the BLS signature draft's KeyGen asks (at least 32). */
const IKM_BYTES = 48;

/** The BLS key pair of the avatar whose secp256k1 private key is `avatarKey` (32 bytes). */
export function blsKeysOfAvatar(avatarKey: Uint8Array): BlsKeyPair {
  if (avatarKey.length !== 32) throw new RangeError("a secp256k1 private key is 32 bytes");
  const encoder = new TextEncoder();
  return blsKeyPair(hkdf(sha256, avatarKey, encoder.encode(BLS_KEY_SALT), encoder.encode(BLS_KEY_INFO), IKM_BYTES));
}
