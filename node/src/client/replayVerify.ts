/**
 * Checks a replayed message against the signed log node a member gave with it (ReadMessages
 * `withNodes`): the node's CID, signature (EIP-712 LogNode under the ring's domain: log/verify.ts),
 * ring and author, its seq, and that its entry (decrypted with the ring's read key when it is an
 * envelope) is the message as given. A member that alters a message, or answers with another
 * author's node, is caught; what the member leaves out is not (the cut is not checked here).
 */
import * as dagCbor from "@ipld/dag-cbor";
import { getBytes } from "ethers";
import { CID } from "multiformats/cid";
import type { MessageItem } from "../api/results.js";
import { ringDomain } from "../core/eip712.js";
import { verifyBlock } from "../log/verify.js";
import { decryptPayload, isEncryptedPayload } from "../replica/payloadCipher.js";

export interface ReplayVerification {
  chainId: bigint | number;
  ring: string;
  /** The ring's read key: encrypted entries are opened with it (without it they cannot be checked). */
  readKey?: Uint8Array;
  /** Whose nodes count (default: anyone's; pass the chain's membership to also refuse non-members). */
  isMember?: (address: string) => boolean;
}

export class ReplayVerificationError extends Error {
  override name = "ReplayVerificationError";
}

/** Throws ReplayVerificationError unless `item` is what its signed node carries. */
export async function verifyMessageItem(item: MessageItem, verification: ReplayVerification): Promise<void> {
  if (item.node === undefined) throw new ReplayVerificationError(`${item.cid}: the member gave no log node`);
  const context = { domain: ringDomain(verification.chainId, verification.ring), isMember: verification.isMember ?? (() => true) };
  let node;
  try {
    node = await verifyBlock(context, { cid: CID.parse(item.cid), bytes: getBytes(item.node) });
  } catch (error) {
    throw new ReplayVerificationError(`${item.cid}: ${(error as Error).message}`);
  }
  if (node.node.author.toLowerCase() !== item.author.toLowerCase() || node.node.seq !== item.seq) {
    throw new ReplayVerificationError(`${item.cid}: the node is ${node.node.author} #${node.node.seq}, not ${item.author} #${item.seq}`);
  }
  let entry = node.node.payload;
  if (isEncryptedPayload(entry)) {
    if (verification.readKey === undefined) throw new ReplayVerificationError(`${item.cid}: the entry is encrypted and no read key was given`);
    try {
      entry = decryptPayload(verification.readKey, entry, { ring: node.node.ring, author: node.node.author });
    } catch (error) {
      throw new ReplayVerificationError(`${item.cid}: ${(error as Error).message}`);
    }
  }
  const given = { message: { app: item.app, ...(item.type === undefined ? {} : { type: item.type }), payload: item.payload } };
  if (!sameCbor(entry, given)) throw new ReplayVerificationError(`${item.cid}: the message given is not the one its signed node carries`);
}

function sameCbor(a: unknown, b: unknown): boolean {
  try {
    return Buffer.from(dagCbor.encode(a)).equals(Buffer.from(dagCbor.encode(b)));
  } catch {
    return false;
  }
}
