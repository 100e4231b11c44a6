/**
 * The MACs that prove a request comes from a holder of the ring's replica key (HMAC-SHA256 keyed
 * by it, domain-separated per method). A replica node holds the key only when it matches the ring's
 * on-chain commitment (ringKeys.ts), so a valid MAC means: someone the ring's members gave the key.
 *
 * - FlushToRing: over the ring, the avatar, `mtx_sig` (which binds every mtx field, since the
 *   signature check follows) and each log node, length-prefixed. Single use comes from the mtx:
 *   its id is accepted once and its nonce is the forwarder's next.
 * - GetReplicaLog: over the ring, the member and an expiry (unix seconds, at most
 *   MAX_READ_AUTH_SECONDS ahead): a captured request reads ciphertext it could read anyway, and
 *   only until it expires. A ring member may sign the same text (`readAuthMessage`, EIP-191)
 *   instead: replica ring members that follow the ring without its key check that one.
 */
import { hmac } from "@noble/hashes/hmac";
import { sha256 } from "@noble/hashes/sha256";
import { getAddress, getBytes, hexlify } from "ethers";

/** How far ahead a GetReplicaLog authorisation may expire. */
export const MAX_READ_AUTH_SECONDS = 600;

export interface FlushMacInput {
  ring: string;
  avatar: string;
  mtxSig: string;
  logNodes: Uint8Array[];
}

export interface ReadAuthInput {
  ring: string;
  member: string;
  /** Unix seconds. */
  expires: number;
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

function macOf(key: Uint8Array, tag: string, parts: Uint8Array[]): string {
  const mac = hmac.create(sha256, key);
  mac.update(new TextEncoder().encode(tag));
  for (const part of parts) mac.update(part);
  return hexlify(mac.digest());
}

export function flushMac(key: Uint8Array, input: FlushMacInput): string {
  const nodes = input.logNodes.flatMap((node) => [u32(node.length), node]);
  return macOf(key, "rings/flush-to-ring/v1", [getBytes(getAddress(input.ring)), getBytes(getAddress(input.avatar)), getBytes(input.mtxSig), u32(input.logNodes.length), ...nodes]);
}

export function readAuthMac(key: Uint8Array, input: ReadAuthInput): string {
  const expires = new Uint8Array(8);
  new DataView(expires.buffer).setBigUint64(0, BigInt(input.expires));
  return macOf(key, "rings/get-replica-log/v1", [getBytes(getAddress(input.ring)), getBytes(getAddress(input.member)), expires]);
}

/** The text a ring member signs (EIP-191 personal message) to read a member's log from a replica node. */
export function readAuthMessage(input: ReadAuthInput): string {
  return `rings/get-replica-log/v1\nring: ${getAddress(input.ring)}\nmember: ${getAddress(input.member)}\nexpires: ${input.expires}`;
}

/** Constant-time comparison of two 0x-hex MACs. */
export function macsEqual(expected: string, given: string): boolean {
  const a = getBytes(expected);
  let b: Uint8Array;
  try {
    b = getBytes(given);
  } catch {
    return false;
  }
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}
