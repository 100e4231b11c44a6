/**
 * Read-key entries in a member's log (in the clear: they carry only wrapped keys):
 * - a key block `{ keys: { epoch, ring, wrapped: [{ member, ephemeralPub, nonce, ct }] } }`: the
 *   read key of `epoch`, one ECIES copy per member it is delivered to (keyWrap.ts);
 * - a key request `{ keyRequest: { ring } }`: written once by a member that holds no key and has
 *   written nothing else, so the others can recover its public key from a signed node of its log.
 */
import { getAddress } from "ethers";
import type { WrappedKey } from "./keyWrap.js";

/** Most copies in one key block (a ring's members are bounded well below this). */
export const MAX_WRAPPED_KEYS = 1_024;

export interface KeyBlock {
  epoch: number;
  ring: string;
  wrapped: WrappedKey[];
}

export interface KeyBlockEntry {
  keys: KeyBlock;
}

export interface KeyRequestEntry {
  keyRequest: { ring: string };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function sameAddress(a: unknown, b: string): boolean {
  try {
    return typeof a === "string" && getAddress(a) === getAddress(b);
  } catch {
    return false;
  }
}

function isWrapped(value: unknown): value is WrappedKey {
  if (!isRecord(value)) return false;
  const { member, ephemeralPub, nonce, ct } = value;
  if (!(ephemeralPub instanceof Uint8Array) || ephemeralPub.length !== 33) return false;
  if (!(nonce instanceof Uint8Array) || nonce.length !== 24 || !(ct instanceof Uint8Array) || ct.length !== 48) return false;
  return sameAddress(member, String(member));
}

export function keyBlockEntry(block: KeyBlock): KeyBlockEntry {
  return { keys: { epoch: block.epoch, ring: getAddress(block.ring), wrapped: block.wrapped } };
}

export function keyRequestEntry(ring: string): KeyRequestEntry {
  return { keyRequest: { ring: getAddress(ring) } };
}

/** The key block a payload carries for `ring`, or null (another entry, another ring, malformed). */
export function asKeyBlock(payload: unknown, ring: string): KeyBlock | null {
  if (!isRecord(payload) || !isRecord(payload.keys)) return null;
  const { epoch, ring: blockRing, wrapped } = payload.keys;
  if (!Number.isSafeInteger(epoch) || (epoch as number) < 0 || !sameAddress(blockRing, ring)) return null;
  if (!Array.isArray(wrapped) || wrapped.length === 0 || wrapped.length > MAX_WRAPPED_KEYS || !wrapped.every(isWrapped)) return null;
  return { epoch: epoch as number, ring: getAddress(ring), wrapped: wrapped.map((copy) => ({ ...copy, member: getAddress(copy.member) })) };
}

export function isKeyRequest(payload: unknown, ring: string): boolean {
  return isRecord(payload) && isRecord(payload.keyRequest) && sameAddress(payload.keyRequest.ring, ring);
}
