/**
 * The one place where a CID meets the chain: on chain a log head is the 32-byte sha2-256 digest of
 * a CIDv1 dag-cbor block, and `RingLogs.cidPrefix()` (0x01 0x71 0x12 0x20) rebuilds the full CID.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { sha256 } from "multiformats/hashes/sha2";

/** CIDv1 (0x01), dag-cbor (0x71), sha2-256 (0x12), 32-byte digest (0x20): RingLogs.cidPrefix. */
export const CID_PREFIX = "0x01711220";

export const ZERO_BYTES32 = `0x${"00".repeat(32)}`;

export class CidFormatError extends Error {
  override name = "CidFormatError";
}

/** The bytes32 that the contracts store for a CIDv1 dag-cbor sha2-256 CID. */
export function cidToBytes32(cid: CID): string {
  if (cid.version !== 1 || cid.code !== dagCbor.code || cid.multihash.code !== sha256.code) {
    throw new CidFormatError(`expected a CIDv1 dag-cbor sha2-256 CID, got ${cid.toString()}`);
  }
  return `0x${Buffer.from(cid.multihash.digest).toString("hex")}`;
}

/** Rebuilds the CID from the bytes32 digest stored on chain; `null` for the empty head. */
export function bytes32ToCid(digest: string): CID | null {
  const hex = digest.startsWith("0x") ? digest.slice(2) : digest;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new CidFormatError(`not a bytes32: ${digest}`);
  if (/^0+$/.test(hex)) return null;
  return CID.createV1(dagCbor.code, Digest.create(sha256.code, Buffer.from(hex, "hex")));
}

/** The CID of dag-cbor bytes (hashes them). */
export async function cidOfBytes(bytes: Uint8Array): Promise<CID> {
  return CID.createV1(dagCbor.code, await sha256.digest(bytes));
}
