/**
 * A light client's own single-writer log, kept in memory: it signs log nodes with the shared codec
 * (EIP-712 LogNode under the ring's domain), encrypts each payload with the ring's read key first,
 * and remembers which nodes are not yet flushed, i.e. what the next FlushToRing must carry.
 */
import { getAddress, type Signer } from "ethers";
import type { CID } from "multiformats/cid";
import { ringDomain } from "../core/eip712.js";
import { LOG_NODE_VERSION, signLogNode, type EncodedLogNode } from "../core/logNode.js";
import { encryptPayload } from "../replica/payloadCipher.js";

export interface AvatarLogOptions {
  signer: Signer;
  ring: string;
  chainId: bigint;
  /** The ring's read key: payloads are encrypted with it. Without it they are written in the clear. */
  readKey?: Uint8Array;
  /** Where the log stands (the on-chain head), when it does not start empty. */
  head?: { cid: CID; seq: number };
}

export class AvatarLog {
  private readonly options: AvatarLogOptions;
  private head: { cid: CID; seq: number } | null;
  private unflushed: EncodedLogNode[] = [];

  constructor(options: AvatarLogOptions) {
    this.options = options;
    this.head = options.head ?? null;
  }

  /** Signs and keeps a new node carrying `payload` (encrypted when a read key is set). */
  async append(payload: unknown): Promise<EncodedLogNode> {
    const author = getAddress(await this.options.signer.getAddress());
    const ring = getAddress(this.options.ring);
    const body = {
      v: LOG_NODE_VERSION,
      ring,
      author,
      seq: this.head === null ? 0 : this.head.seq + 1,
      prev: this.head === null ? [] : [this.head.cid],
      ts: Date.now(),
      payload: this.options.readKey === undefined ? payload : encryptPayload(this.options.readKey, payload, { ring, author }),
    };
    const node = await signLogNode(body, this.options.signer, ringDomain(this.options.chainId, ring));
    this.head = { cid: node.cid, seq: node.node.seq };
    this.unflushed.push(node);
    return node;
  }

  /** Nodes written since the last `markFlushed`, oldest first. */
  pending(): EncodedLogNode[] {
    return [...this.unflushed];
  }

  /** The nodes up to `head` are on chain now. */
  markFlushed(head: CID): void {
    const index = this.unflushed.findIndex((node) => node.cid.equals(head));
    if (index >= 0) this.unflushed = this.unflushed.slice(index + 1);
  }

  currentHead(): { cid: CID; seq: number } | null {
    return this.head;
  }
}
