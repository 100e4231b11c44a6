/**
 * This member's own single-writer log. Appends are signed in order and made durable (blocks and
 * index fsync'd) before the promise resolves and before listeners (the announcer) hear of them.
 * Appends that arrive while a write is in flight are committed together (group commit).
 */
import type { TypedDataDomain } from "ethers";
import { TypedEventEmitter } from "main-event";
import type { CID } from "multiformats/cid";
import { LOG_NODE_VERSION, signLogNodeWithKey, type EncodedLogNode, type LogNodeBody } from "../core/logNode.js";
import type { RingIdentity } from "../identity/identity.js";
import type { LogHead, LogStore } from "./store.js";

export interface AppendOptions {
  /** Other members' heads this node has seen, linked after the parent in `prev`. */
  links?: CID[];
  /** Timestamp (ms); defaults to now. */
  ts?: number;
}

interface PendingAppend {
  payload: unknown;
  options: AppendOptions;
  resolve: (node: EncodedLogNode) => void;
  reject: (error: unknown) => void;
}

export type AppendListener = (nodes: EncodedLogNode[], head: LogHead) => void;

export interface AppendedDetail {
  /** The nodes of one durable commit, in seq order. */
  nodes: EncodedLogNode[];
  /** The log's head after it. */
  head: LogHead;
}

export interface OwnLogEvents {
  appended: CustomEvent<AppendedDetail>;
}

export class OwnLog extends TypedEventEmitter<OwnLogEvents> {
  private readonly queue: PendingAppend[] = [];
  private pumping = false;

  constructor(
    private readonly store: Pick<LogStore, "head" | "append">,
    private readonly identity: Pick<RingIdentity, "address" | "privateKey">,
    private readonly domain: TypedDataDomain,
  ) {
    super();
  }

  get author(): string {
    return this.identity.address;
  }

  head(): LogHead | null {
    return this.store.head(this.identity.address);
  }

  /** Appends one node with `payload`; resolves with it once it is durable. */
  append(payload: unknown, options: AppendOptions = {}): Promise<EncodedLogNode> {
    return new Promise((resolve, reject) => {
      this.queue.push({ payload, options, resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  /** Called after each durable commit, in order. */
  onAppended(listener: AppendListener): () => void {
    const handler = (event: CustomEvent<AppendedDetail>) => listener(event.detail.nodes, event.detail.head);
    this.addEventListener("appended", handler);
    return () => this.removeEventListener("appended", handler);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length);
        const signed: Array<{ request: PendingAppend; node: EncodedLogNode }> = [];
        let head = this.head();
        for (const request of batch) {
          const body: LogNodeBody = {
            v: LOG_NODE_VERSION,
            ring: String(this.domain.verifyingContract),
            author: this.identity.address,
            seq: head === null ? 0 : head.seq + 1,
            prev: [...(head === null ? [] : [head.cid]), ...(request.options.links ?? [])],
            ts: request.options.ts ?? Date.now(),
            payload: request.payload,
          };
          try {
            const node = await signLogNodeWithKey(body, this.identity.privateKey, this.domain);
            signed.push({ request, node });
            head = { author: body.author, seq: body.seq, cid: node.cid };
          } catch (error) {
            request.reject(error);
          }
        }
        if (signed.length === 0) continue;
        const nodes = signed.map((entry) => entry.node);
        try {
          await this.store.append(this.identity.address, nodes, true);
        } catch (error) {
          for (const entry of signed) entry.request.reject(error);
          continue;
        }
        for (const entry of signed) entry.request.resolve(entry.node);
        const committed = this.head();
        if (committed !== null) this.safeDispatchEvent("appended", { detail: { nodes, head: committed } });
      }
    } finally {
      this.pumping = false;
    }
  }
}
