/**
 * Evidence that a member forked its log: two nodes it signed with the same seq and different
 * digests. `RingWriter.proveFork` (chain/) submits it to `Ring.proveFork`, which ejects the member.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { hexlify } from "ethers";
import type { EncodedLogNode } from "../core/logNode.js";

export interface SignedNodeRef {
  /** CID string of the node. */
  cid: string;
  /** 0x-hex sha2-256 of the unsigned body: the EIP-712 LogNode `digest`. */
  digest: string;
  /** 0x-hex 65-byte signature. */
  sig: string;
  /** The whole block, so anyone can check the pair independently. */
  bytes: Uint8Array;
}

export interface ForkEvidence {
  author: string;
  seq: number;
  /** The node this member held first. */
  a: SignedNodeRef;
  /** The conflicting node. */
  b: SignedNodeRef;
  detectedAt: number;
}

export function signedNodeRef(node: EncodedLogNode): SignedNodeRef {
  return { cid: node.cid.toString(), digest: node.digest, sig: hexlify(node.node.sig), bytes: node.bytes };
}

export function forkEvidence(held: EncodedLogNode, conflicting: EncodedLogNode): ForkEvidence {
  return { author: held.node.author, seq: held.node.seq, a: signedNodeRef(held), b: signedNodeRef(conflicting), detectedAt: Date.now() };
}

export function encodeForkEvidence(evidence: ForkEvidence): Uint8Array {
  return dagCbor.encode(evidence);
}

export function decodeForkEvidence(bytes: Uint8Array): ForkEvidence {
  return dagCbor.decode(bytes);
}

/** JSON-friendly view (block bytes as hex). */
export function forkEvidenceToJson(evidence: ForkEvidence): Record<string, unknown> {
  const ref = (r: SignedNodeRef) => ({ cid: r.cid, digest: r.digest, sig: r.sig, bytes: hexlify(r.bytes) });
  return { author: evidence.author, seq: evidence.seq, a: ref(evidence.a), b: ref(evidence.b), detectedAt: evidence.detectedAt };
}
