/**
 * Verification of received log nodes before anything is kept. A batch is one author's nodes in
 * ascending seq order that claims to extend what this node holds of that author. Each node must:
 * hash to its CID, decode as a signed log node of this ring, be signed by its author, have a member
 * as author, link to its parent with seq = parent's seq + 1, and connect to the last head known
 * (held and verified earlier, or on chain). A node whose seq this node already holds with another
 * digest is a fork: the signed pair is returned as evidence.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { TypedDataDomain } from "ethers";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { cidOfBytes } from "../core/cid.js";
import { decodeLogNode, LogNodeFormatError, recoverLogNodeAuthor, type EncodedLogNode } from "../core/logNode.js";
import { InvalidSignatureError } from "../core/secp256k1.js";
import {
  InvalidLogNodeSignatureError,
  LogReplicationIncompleteError,
  MalformedLogNodeError,
  NonMemberAuthorError,
  SkippedSeqError,
  TamperedBlockError,
  UnexpectedAuthorError,
  UnsignedLogNodeError,
  WrongRingError,
  WrongSignerError,
  ForkDetectedError,
} from "./errors.js";
import { forkEvidence } from "./forkEvidence.js";
import type { LogStore } from "./store.js";

export interface ReceivedBlock {
  cid: CID;
  bytes: Uint8Array;
}

export interface VerificationContext {
  /** EIP-712 domain of the ring (chain id + ring address). */
  domain: TypedDataDomain;
  isMember(address: string): boolean;
  /** The held log the batch must extend. */
  store: Pick<LogStore, "length" | "cidAt" | "nodeAt">;
}

export interface VerifiedBatch {
  author: string;
  /** The nodes that extend the held log (already-held duplicates left out), in seq order. */
  nodes: EncodedLogNode[];
}

/** What checking a block on its own reads: the ring's domain and who is a member. */
export type BlockVerificationContext = Pick<VerificationContext, "domain" | "isMember">;

/** Checks one block on its own: CID, shape, signature, ring, membership. */
export async function verifyBlock(context: BlockVerificationContext, block: ReceivedBlock): Promise<EncodedLogNode> {
  const id = block.cid.toString();
  if (block.cid.version !== 1 || block.cid.code !== dagCbor.code || block.cid.multihash.code !== sha256.code) {
    throw new MalformedLogNodeError(`${id} is not a CIDv1 dag-cbor sha2-256 CID`, id);
  }
  if (!(await cidOfBytes(block.bytes)).equals(block.cid)) throw new TamperedBlockError(`bytes of ${id} do not hash to its CID`, id);
  let raw: unknown;
  try {
    raw = dagCbor.decode(block.bytes);
  } catch (error) {
    throw new MalformedLogNodeError(`${id} is not dag-cbor: ${(error as Error).message}`, id);
  }
  if (raw !== null && typeof raw === "object" && !(raw instanceof Uint8Array)) {
    const sig = (raw as { sig?: unknown }).sig;
    if (sig === undefined || sig === null || !(sig instanceof Uint8Array) || sig.length === 0) {
      throw new UnsignedLogNodeError(`${id} carries no signature`, id);
    }
  }
  let node: EncodedLogNode;
  try {
    node = await decodeLogNode(block.bytes);
  } catch (error) {
    if (error instanceof LogNodeFormatError) throw new MalformedLogNodeError(`${id}: ${error.message}`, id);
    throw error;
  }
  const ring = String(context.domain.verifyingContract);
  if (node.node.ring.toLowerCase() !== ring.toLowerCase()) throw new WrongRingError(`${id} belongs to ring ${node.node.ring}, not ${ring}`, id);
  if (!node.node.prev.every((link) => link instanceof CID)) throw new MalformedLogNodeError(`${id}: prev must hold CIDs`, id);
  let signer: string;
  try {
    signer = recoverLogNodeAuthor(node, context.domain);
  } catch (error) {
    if (error instanceof InvalidSignatureError) throw new InvalidLogNodeSignatureError(`${id}: ${error.message}`, id);
    throw error;
  }
  if (signer !== node.node.author) throw new WrongSignerError(`${id} claims author ${node.node.author} but is signed by ${signer}`, id);
  if (!context.isMember(node.node.author)) throw new NonMemberAuthorError(`${id} is by ${node.node.author}, not a member of the ring`, id);
  return node;
}

/**
 * Checks one block of `author`'s log met while walking `prev` links back from a claimed head,
 * before more are fetched: verifyBlock, the author asked for, and `seq` when the walk knows which
 * is due (the claim's seq for the head, one less for each ancestor; the link holds by construction).
 */
export async function verifyWalkedBlock(context: BlockVerificationContext, author: string, block: ReceivedBlock, expectedSeq: number | undefined): Promise<EncodedLogNode> {
  const node = await verifyBlock(context, block);
  const id = node.cid.toString();
  if (node.node.author !== author) throw new UnexpectedAuthorError(`${id} is by ${node.node.author} in a walk of ${author}'s log`, id);
  if (expectedSeq !== undefined && node.node.seq !== expectedSeq) throw new SkippedSeqError(`${id} has seq ${node.node.seq} where ${expectedSeq} was due`, id);
  return node;
}

/**
 * Verifies a batch of `author`'s nodes (ascending seq) against what the store holds. Throws the
 * first failure; a fork throws `ForkDetectedError` carrying the evidence.
 */
export async function verifyBatch(context: VerificationContext, author: string, blocks: ReceivedBlock[]): Promise<VerifiedBatch> {
  const { store } = context;
  const verified: EncodedLogNode[] = [];
  const held = store.length(author);
  let parent: CID | undefined = held === 0 ? undefined : store.cidAt(author, held - 1);
  for (const block of blocks) {
    const node = await verifyBlock(context, block);
    const id = node.cid.toString();
    if (node.node.author !== author) throw new UnexpectedAuthorError(`${id} is by ${node.node.author} in a batch of ${author}'s log`, id);
    const seq = node.node.seq;
    if (verified.length === 0 && seq < held) {
      // A node this member already holds a node for: the same one, or a fork.
      const mine = await store.nodeAt(author, seq);
      if (mine === null) throw new LogReplicationIncompleteError(`held node ${author}#${seq} is missing from the blockstore`, id);
      if (mine.cid.equals(node.cid)) continue;
      if (mine.digest !== node.digest) throw new ForkDetectedError(forkEvidence(mine, node));
      // Same signed body, another encoding of the signature: nothing new, refuse the copy.
      throw new InvalidLogNodeSignatureError(`${id} re-encodes ${mine.cid.toString()} (same digest, other bytes)`, id);
    }
    const expected = verified.length === 0 ? held : (verified[verified.length - 1]?.node.seq ?? held) + 1;
    const link = node.node.prev[0];
    const linksParent = parent !== undefined && seq > 0 && link !== undefined && link.equals(parent);
    if (seq !== expected) {
      if (linksParent) throw new SkippedSeqError(`${id} has seq ${seq} but its parent has seq ${expected - 1}`, id);
      throw new LogReplicationIncompleteError(`${id} (seq ${seq}) does not connect to ${author}'s last known node (seq ${expected - 1})`, id);
    }
    if (seq > 0 && !linksParent) {
      throw new LogReplicationIncompleteError(`${id} (seq ${seq}) links to ${link?.toString() ?? "nothing"}, not to ${author}'s node at seq ${seq - 1}`, id);
    }
    verified.push(node);
    parent = node.cid;
  }
  return { author, nodes: verified };
}
