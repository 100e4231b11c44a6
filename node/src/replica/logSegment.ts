/**
 * Verifies a segment of one member's single-writer log handed to a replica node (FlushToRing's
 * `logNodes`, or nodes fetched while following on-chain heads): every node deserialises with the
 * shared codec, belongs to the ring, is authored and EIP-712-signed by the member, the seqs run
 * without gaps, each node's first `prev` is the node before it, and the oldest connects to the
 * head the chain holds for the member (directly, or through nodes this replica verified earlier).
 * Anything else is a `LogReplicationIncompleteError` (log/errors.ts; its message starts
 * "log replication incomplete: ").
 */
import { getAddress, getBytes } from "ethers";
import type { CID } from "multiformats/cid";
import { bytes32ToCid } from "../core/cid.js";
import { ringDomain } from "../core/eip712.js";
import { decodeLogNode, recoverLogNodeAuthor, type EncodedLogNode } from "../core/logNode.js";
import { LogReplicationIncompleteError } from "../log/errors.js";

/** A node this replica already holds and verified, looked up by CID. */
export type VerifiedNodeLookup = (cid: CID) => Promise<EncodedLogNode | null>;

export interface LogSegmentInput {
  chainId: bigint;
  ring: string;
  author: string;
  /** The member's head on chain (bytes32; zero before its first). */
  onChainHead: string;
  /** Serialised nodes (dag-cbor), in any order. */
  serialized: Uint8Array[];
  /** Nodes verified earlier, so a segment may connect to the chain through them. */
  lookup?: VerifiedNodeLookup;
  /** How far back to walk through earlier nodes to reach the on-chain head. */
  maxLookupDepth?: number;
}

export interface VerifiedLogSegment {
  /** Oldest first. */
  nodes: EncodedLogNode[];
  /** The newest node: the head the member's request moves to. */
  head: EncodedLogNode;
}

function firstParent(node: EncodedLogNode): CID | undefined {
  return node.node.prev[0];
}

export async function verifyLogSegment(input: LogSegmentInput): Promise<VerifiedLogSegment> {
  const ring = getAddress(input.ring);
  const author = getAddress(input.author);
  const domain = ringDomain(input.chainId, ring);
  if (input.serialized.length === 0) throw new LogReplicationIncompleteError("no log nodes");

  const byCid = new Map<string, EncodedLogNode>();
  for (const [index, bytes] of input.serialized.entries()) {
    let encoded: EncodedLogNode;
    try {
      encoded = await decodeLogNode(bytes);
    } catch (error) {
      throw new LogReplicationIncompleteError(`log node ${index} does not deserialise: ${(error as Error).message}`);
    }
    if (encoded.node.ring !== ring) throw new LogReplicationIncompleteError(`log node ${index} belongs to ring ${encoded.node.ring}`);
    if (encoded.node.author !== author) throw new LogReplicationIncompleteError(`log node ${index} is authored by ${encoded.node.author}, not the avatar`);
    let signer: string;
    try {
      signer = recoverLogNodeAuthor(encoded, domain);
    } catch {
      throw new LogReplicationIncompleteError(`log node ${index} has an invalid signature`);
    }
    if (signer !== author) throw new LogReplicationIncompleteError(`log node ${index} is signed by ${signer}, not the avatar`);
    byCid.set(encoded.cid.toString(), encoded);
  }

  const nodes = [...byCid.values()].sort((a, b) => a.node.seq - b.node.seq);
  for (let i = 1; i < nodes.length; i++) {
    const previous = nodes[i - 1] as EncodedLogNode;
    const current = nodes[i] as EncodedLogNode;
    if (current.node.seq === previous.node.seq) throw new LogReplicationIncompleteError(`two different nodes with seq ${current.node.seq} (a fork)`);
    if (current.node.seq !== previous.node.seq + 1) throw new LogReplicationIncompleteError(`seq ${previous.node.seq} is followed by ${current.node.seq}: nodes are missing`);
    if (!firstParent(current)?.equals(previous.cid)) throw new LogReplicationIncompleteError(`node seq ${current.node.seq} does not link to node seq ${previous.node.seq}`);
  }

  const oldest = nodes[0] as EncodedLogNode;
  const head = nodes[nodes.length - 1] as EncodedLogNode;
  await connectToChainHead(oldest, input);
  return { nodes: nodes.filter((node) => !isOnChainHead(node, input.onChainHead)), head };
}

function isOnChainHead(node: EncodedLogNode, onChainHead: string): boolean {
  const cid = bytes32ToCid(onChainHead);
  return cid !== null && cid.equals(node.cid);
}

async function connectToChainHead(oldest: EncodedLogNode, input: LogSegmentInput): Promise<void> {
  const chainHead = bytes32ToCid(input.onChainHead);
  const parent = firstParent(oldest);
  if (chainHead === null) {
    if (oldest.node.seq === 0 && parent === undefined) return;
    throw new LogReplicationIncompleteError(`the avatar has no head on chain, so its log must start at seq 0 (got seq ${oldest.node.seq})`);
  }
  if (oldest.cid.equals(chainHead)) return;
  if (parent === undefined) throw new LogReplicationIncompleteError("the oldest log node has no parent, but the avatar already has a head on chain");
  if (parent.equals(chainHead)) {
    const chainHeadNode = input.lookup === undefined ? null : await input.lookup(chainHead);
    if (chainHeadNode !== null && chainHeadNode.node.seq !== oldest.node.seq - 1) {
      throw new LogReplicationIncompleteError(`node seq ${oldest.node.seq} follows the on-chain head at seq ${chainHeadNode.node.seq}`);
    }
    return;
  }
  // Connect through nodes this replica verified before (e.g. while following the ring).
  let cursor: CID | undefined = parent;
  let expectedSeq = oldest.node.seq - 1;
  for (let depth = 0; cursor !== undefined && depth < (input.maxLookupDepth ?? 10_000); depth++) {
    const known = input.lookup === undefined ? null : await input.lookup(cursor);
    if (known === null || known.node.seq !== expectedSeq) break;
    if (known.cid.equals(chainHead)) return;
    cursor = firstParent(known);
    expectedSeq -= 1;
  }
  throw new LogReplicationIncompleteError(`the log nodes do not connect to the avatar's on-chain head ${input.onChainHead}`);
}

/** The hex form on the wire back to bytes (checked by the params schema). */
export function logNodeBytesFromHex(hex: string): Uint8Array {
  return getBytes(hex);
}
