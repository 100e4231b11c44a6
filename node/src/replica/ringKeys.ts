/**
 * A ring's two symmetric keys, split as in Textile Threads:
 * - the **read key** encrypts log-node payloads; only the ring's members (and whoever they give it to)
 *   hold it, so only they can read what the ring writes;
 * - the **replica key** (Threads' service key) is what a ring hands to a replica ring with
 *   `ReplicateRing`: it authorises the replica ring to accept, verify, store and serve the ring's log
 *   nodes (signatures, authors, links are in the clear), never to read their payloads.
 *
 * The replica key is a credential: the registration commits to it on chain
 * (`ReplicaRing.register(ring, replicaKeyCommitment(key))`), a replica node keeps only the committed
 * key, and FlushToRing and GetReplicaLog carry a MAC made with it (requestMacs.ts).
 */
import { randomBytes } from "@noble/ciphers/utils.js";
import { sha256 } from "@noble/hashes/sha256";
import { concat, getBytes, hexlify, keccak256, toUtf8Bytes } from "ethers";

export const RING_KEY_BYTES = 32;

export interface RingKeys {
  replicaKey: Uint8Array;
  readKey: Uint8Array;
}

export class RingKeyFormatError extends Error {
  override name = "RingKeyFormatError";
}

export function generateRingKeys(): RingKeys {
  return { replicaKey: randomBytes(RING_KEY_BYTES), readKey: randomBytes(RING_KEY_BYTES) };
}

/** 0x-hex, the form `replica_key` takes on the wire and on disk. */
export function encodeRingKey(key: Uint8Array): string {
  if (key.length !== RING_KEY_BYTES) throw new RingKeyFormatError(`a ring key is ${RING_KEY_BYTES} bytes, got ${key.length}`);
  return hexlify(key);
}

export function decodeRingKey(hex: string): Uint8Array {
  let key: Uint8Array;
  try {
    key = getBytes(hex);
  } catch {
    throw new RingKeyFormatError("a ring key is 0x-prefixed hex");
  }
  if (key.length !== RING_KEY_BYTES) throw new RingKeyFormatError(`a ring key is ${RING_KEY_BYTES} bytes, got ${key.length}`);
  return key;
}

/** A public fingerprint of a key (16 bytes of a domain-separated sha-256), for logs and status without revealing it. */
export function ringKeyId(key: Uint8Array): string {
  const tag = new TextEncoder().encode("rings/key-id/v1");
  const input = new Uint8Array(tag.length + key.length);
  input.set(tag);
  input.set(key, tag.length);
  return hexlify(sha256(input).slice(0, 16));
}

/** The bytes32 a registration commits to on chain: keccak256("rings/replica-key/v1" ‖ key). Public; reveals nothing of the key. */
export function replicaKeyCommitment(key: Uint8Array): string {
  if (key.length !== RING_KEY_BYTES) throw new RingKeyFormatError(`a ring key is ${RING_KEY_BYTES} bytes, got ${key.length}`);
  return keccak256(concat([toUtf8Bytes("rings/replica-key/v1"), key]));
}
