/**
 * Checks a replayed message against the signed log node a member gave with it (ReadMessages
 * `withNodes`): the log layer's checks of the node on its own (log/verify.ts `verifyBlock`: CID,
 * signature under the ring's EIP-712 domain, ring, member author), then that the node is the
 * message's author and seq (and time), and that its entry, opened with the ring's read keys when it
 * is an envelope, is the message as given. A member that alters a message, or answers with another
 * node, is caught; what it leaves out is not (replicaReplay.ts checks the cuts against the chain).
 */
import * as dagCbor from "@ipld/dag-cbor";
import { getBytes } from "ethers";
import { CID } from "multiformats/cid";
import type { MessageItem } from "../api/results.js";
import { ringDomain } from "../core/eip712.js";
import type { EncodedLogNode } from "../core/logNode.js";
import { asMessage } from "../core/messageEntry.js";
import { verifyBlock } from "../log/verify.js";
import { keysReader, type PayloadReader } from "../replica/sealedLog.js";
import { ReplayMessageMismatchError, ReplayNodeRefusedError, ReplayUnreadableError, ReplayVerificationError } from "./errors.js";

export { ReplayVerificationError };

export interface ReplayVerification {
  chainId: bigint | number;
  ring: string;
  /** The ring's read keys (every epoch's): encrypted entries are opened with them (without one they cannot be checked). */
  readKeys?: readonly Uint8Array[];
  /** Whose nodes count (default: anyone's; pass the chain's membership to also refuse non-members). */
  isMember?: (address: string) => boolean;
}

/** The log node's entry in plaintext; ReplayUnreadableError when it is an envelope none of the keys opens. */
export function openEntry(reader: PayloadReader, node: EncodedLogNode): unknown {
  const opened = reader.open(node.node.author, node.node.payload);
  if (!opened.readable) throw new ReplayUnreadableError(`${node.cid.toString()}: the entry is encrypted and opens with none of the read keys given`);
  return opened.payload;
}

/** Throws a ReplayVerificationError unless `item` is what its signed node carries. */
export async function verifyMessageItem(item: MessageItem, verification: ReplayVerification, reader: PayloadReader = keysReader(verification.readKeys ?? [], verification.ring)): Promise<EncodedLogNode> {
  if (item.node === undefined) throw new ReplayMessageMismatchError(`${item.cid}: the member gave no log node`);
  let block;
  try {
    block = { cid: CID.parse(item.cid), bytes: getBytes(item.node) };
  } catch (error) {
    throw new ReplayNodeRefusedError(`${item.cid}: not a CID and hex node bytes: ${(error as Error).message}`, { cause: error });
  }
  const context = { domain: ringDomain(verification.chainId, verification.ring), isMember: verification.isMember ?? (() => true) };
  let node: EncodedLogNode;
  try {
    node = await verifyBlock(context, block);
  } catch (error) {
    throw new ReplayNodeRefusedError(`${item.cid}: ${(error as Error).message}`, { cause: error });
  }
  const { author, seq, ts } = node.node;
  if (author.toLowerCase() !== item.author.toLowerCase() || seq !== item.seq || ts !== item.ts) {
    throw new ReplayMessageMismatchError(`${item.cid}: the node is ${author} #${seq} (ts ${String(ts)}), not ${item.author} #${item.seq} (ts ${String(item.ts)})`);
  }
  const fields = asMessage(openEntry(reader, node));
  if (fields === null || fields.app !== item.app || fields.type !== item.type || !sameValue(fields.payload, item.payload)) {
    throw new ReplayMessageMismatchError(`${item.cid}: the message given is not the one its signed node carries`);
  }
  return node;
}

/** Whether two payloads encode to the same dag-cbor (keys sorted: the order a JSON answer gives them in does not count). */
function sameValue(a: unknown, b: unknown): boolean {
  try {
    return Buffer.from(dagCbor.encode(a)).equals(Buffer.from(dagCbor.encode(b)));
  } catch {
    return false;
  }
}
