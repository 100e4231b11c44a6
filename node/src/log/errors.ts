/**
 * Why a received batch of log nodes was refused: one class per failure, each with a stable `name`.
 * Nothing from a refused batch is kept.
 */
import type { ForkEvidence } from "./forkEvidence.js";

export abstract class LogVerificationError extends Error {
  /** The CID (string) of the node that failed, when there is one. */
  readonly cid: string | undefined;
  constructor(message: string, cid?: string) {
    super(message);
    this.cid = cid;
  }
}

/** The block's bytes do not hash to the CID it was fetched as. */
export class TamperedBlockError extends LogVerificationError {
  override name = "TamperedBlockError";
}

/** Not a log node: not dag-cbor, wrong version or fields, or not a CIDv1 dag-cbor sha2-256 block. */
export class MalformedLogNodeError extends LogVerificationError {
  override name = "MalformedLogNodeError";
}

/** The node carries no 65-byte signature. */
export class UnsignedLogNodeError extends LogVerificationError {
  override name = "UnsignedLogNodeError";
}

/** The signature is not one `ecrecover` accepts (bad v, high s, not on the curve). */
export class InvalidLogNodeSignatureError extends LogVerificationError {
  override name = "InvalidLogNodeSignatureError";
}

/** The signature recovers to an address other than the node's author. */
export class WrongSignerError extends LogVerificationError {
  override name = "WrongSignerError";
}

/** The node's author is not a member of the ring. */
export class NonMemberAuthorError extends LogVerificationError {
  override name = "NonMemberAuthorError";
}

/** The node belongs to another ring (or chain). */
export class WrongRingError extends LogVerificationError {
  override name = "WrongRingError";
}

/** A node in a batch for one author was written by another author. */
export class UnexpectedAuthorError extends LogVerificationError {
  override name = "UnexpectedAuthorError";
}

/** The node links to its parent but its seq is not the parent's seq + 1. */
export class SkippedSeqError extends LogVerificationError {
  override name = "SkippedSeqError";
}

/** The batch does not connect to the last head this node knows: ancestors are missing. */
export class LogReplicationIncompleteError extends LogVerificationError {
  override name = "LogReplicationIncompleteError";
  constructor(detail: string, cid?: string) {
    super(`log replication incomplete: ${detail}`, cid);
  }
}

/** The author signed two different nodes with the same seq; the pair is kept as evidence. */
export class ForkDetectedError extends LogVerificationError {
  override name = "ForkDetectedError";
  readonly evidence: ForkEvidence;
  constructor(evidence: ForkEvidence) {
    super(`author ${evidence.author} forked its log at seq ${evidence.seq}`, evidence.b.cid);
    this.evidence = evidence;
  }
}
