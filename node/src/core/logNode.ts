/**
 * The one codec for log nodes. A log node is dag-cbor `{ v, ring, author, seq, prev, ts?, payload, sig }`;
 * `sig` is the author's EIP-712 `LogNode(seq, digest)` signature (domain bound to the ring and chain),
 * where `digest` is sha2-256 of the dag-cbor encoding of the node without `sig`. The block's CID
 * (CIDv1 dag-cbor sha2-256 of the full signed node) is what heads, `prev` links and the chain hold.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { getBytes, hexlify, Signature, type Signer, type TypedDataDomain } from "ethers";
import type { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { cidOfBytes } from "./cid.js";
import { LOG_NODE_TYPES, logNodeHasher } from "./eip712.js";
import { checksumAddress, recoverSigner, signDigest } from "./secp256k1.js";

export const LOG_NODE_VERSION = 1;

/** The signed part of a log node. Addresses are checksummed hex strings. */
export interface LogNodeBody {
  v: number;
  ring: string;
  author: string;
  seq: number;
  /** The author's previous node first (absent for seq 0), then any other heads the author has seen. */
  prev: CID[];
  ts?: number;
  payload: unknown;
}

export interface LogNode extends LogNodeBody {
  /** 65-byte r ‖ s ‖ v signature over the EIP-712 LogNode(seq, digest). */
  sig: Uint8Array;
}

/** A node together with its block bytes and CID. */
export interface EncodedLogNode {
  cid: CID;
  bytes: Uint8Array;
  node: LogNode;
  /** sha2-256 of the unsigned body, hex: what the signature commits to. */
  digest: string;
}

export class LogNodeFormatError extends Error {
  override name = "LogNodeFormatError";
}

/** The signed fields, addresses in checksummed form (the only form `decodeLogNode` accepts). */
function bodyOf(node: LogNodeBody): LogNodeBody {
  const body: LogNodeBody = { v: node.v, ring: checksumAddress(node.ring), author: checksumAddress(node.author), seq: node.seq, prev: node.prev, payload: node.payload };
  if (node.ts !== undefined) body.ts = node.ts;
  return body;
}

/** sha2-256 of the dag-cbor body, as 0x-hex: the `digest` of the EIP-712 LogNode message. */
export async function bodyDigest(body: LogNodeBody): Promise<string> {
  const hash = await sha256.digest(dagCbor.encode(bodyOf(body)));
  return hexlify(hash.digest);
}

/** Signs a body with the author's key and encodes the node. */
export async function signLogNode(body: LogNodeBody, signer: Signer, domain: TypedDataDomain): Promise<EncodedLogNode> {
  const digest = await bodyDigest(body);
  const signature = await signer.signTypedData(domain, LOG_NODE_TYPES, { seq: BigInt(body.seq), digest });
  const node: LogNode = { ...bodyOf(body), sig: getBytes(Signature.from(signature).serialized) };
  return encodeLogNode(node, digest);
}

/**
 * Signs a body with a raw 32-byte private key (libsecp256k1, no ethers Signer round trip): the same
 * signature `signLogNode` produces (RFC 6979 deterministic k, low s), for high-rate appends.
 */
export async function signLogNodeWithKey(body: LogNodeBody, privateKey: Uint8Array, domain: TypedDataDomain): Promise<EncodedLogNode> {
  const digest = await bodyDigest(body);
  const sig = signDigest(privateKey, hasherFor(domain)(body.seq, getBytes(digest)));
  return encodeLogNode({ ...bodyOf(body), sig }, digest);
}

export async function encodeLogNode(node: LogNode, digest?: string): Promise<EncodedLogNode> {
  const bytes = dagCbor.encode(node);
  return { cid: await cidOfBytes(bytes), bytes, node, digest: digest ?? (await bodyDigest(node)) };
}

/** Decodes block bytes into a log node, checking its shape (not its signature). */
export async function decodeLogNode(bytes: Uint8Array): Promise<EncodedLogNode> {
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    throw new LogNodeFormatError(`not dag-cbor: ${(error as Error).message}`);
  }
  const node = value as Partial<LogNode> | null;
  if (node === null || typeof node !== "object") throw new LogNodeFormatError("log node is not a map");
  if (node.v !== LOG_NODE_VERSION) throw new LogNodeFormatError(`unsupported log node version ${String(node.v)}`);
  if (typeof node.ring !== "string" || typeof node.author !== "string") throw new LogNodeFormatError("ring and author must be addresses");
  if (!Number.isSafeInteger(node.seq) || (node.seq as number) < 0) throw new LogNodeFormatError("seq must be a non-negative integer");
  if (!Array.isArray(node.prev)) throw new LogNodeFormatError("prev must be a list of CIDs");
  if (!(node.sig instanceof Uint8Array) || node.sig.length !== 65) throw new LogNodeFormatError("unsigned log node (sig must be 65 bytes)");
  let canonical: boolean;
  try {
    canonical = checksumAddress(node.ring) === node.ring && checksumAddress(node.author) === node.author;
  } catch {
    throw new LogNodeFormatError("ring and author must be addresses");
  }
  // One encoding per node: the digest covers the addresses exactly as written, so only the checksummed form is valid.
  if (!canonical) throw new LogNodeFormatError("ring and author must be checksummed addresses");
  const full = node as LogNode;
  return { cid: await cidOfBytes(bytes), bytes, node: full, digest: await bodyDigest(full) };
}

const hashers = new Map<string, ReturnType<typeof logNodeHasher>>();

function hasherFor(domain: TypedDataDomain): ReturnType<typeof logNodeHasher> {
  const key = [domain.name, domain.version, String(domain.chainId), domain.verifyingContract, domain.salt].join("|");
  let hasher = hashers.get(key);
  if (hasher === undefined) {
    hasher = logNodeHasher(domain);
    hashers.set(key, hasher);
  }
  return hasher;
}

/**
 * The address that signed the node under `domain` (checksummed). Throws `InvalidSignatureError`
 * for a signature `ecrecover` or OpenZeppelin's ECDSA would refuse (bad v, high s, off-curve).
 */
export function recoverLogNodeAuthor(encoded: EncodedLogNode, domain: TypedDataDomain): string {
  return recoverSigner(hasherFor(domain)(encoded.node.seq, getBytes(encoded.digest)), encoded.node.sig);
}
