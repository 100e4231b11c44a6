/**
 * GetReplicaLog `{ ring, member, sinceSeq?, limit?, from?, auth }`: serves what this replica node holds
 * of a client ring member's log (and a member node of its own ring's: ringLogPages.ts), newest first, as the signed dag-cbor blocks (0x hex) exactly as
 * the member wrote them. Payloads stay encrypted with the client ring's read key: a reader with the
 * key verifies each node with the shared codec and decrypts it; the replica cannot.
 *
 * Bounds: an answer carries at most `limit` nodes and LIMITS.maxReplicaLogReplyBytes of node
 * bytes (4 MiB, 8 MiB as hex), and says where the next page starts (`next`, passed back as
 * `from`); at most LIMITS.maxConcurrentReplicaLogCalls calls run at once, further ones are
 * answered -32012 (retry later) without reading anything.
 *
 * Only to readers the ring authorised (replicaLogAuth.ts): a holder of its replica key or a member. (Unbounded, 1,000 nodes of 123 KB made a
 * 123 MB answer and two such calls ran the node out of heap.)
 */
import { hexlify } from "ethers";
import { RpcErrorCode } from "../../api/errorCodes.js";
import type { GetReplicaLogResult } from "../../api/results.js";
import { getReplicaLogParamsSchema, LIMITS } from "../../api/schemas.js";
import { RpcApplicationError } from "../../jsonrpc/errorCodes.js";
import { parseParams } from "../../jsonrpc/params.js";
import { checkReplicaLogAuth, type ReplicaLogAuthComponents } from "./replicaLogAuth.js";
import type { LogPages } from "./ringLogPages.js";

export interface GetReplicaLogLimits {
  maxReplyBytes: number;
  maxConcurrent: number;
}

export interface GetReplicaLogComponents extends ReplicaLogAuthComponents {
  /** The replica store, and on a member node its own ring's logs (ringLogPages.ts). */
  store: LogPages;
}

export class GetReplicaLogMethod {
  private readonly components: GetReplicaLogComponents;
  private readonly store: LogPages;
  private readonly limits: GetReplicaLogLimits;
  private running = 0;

  constructor(components: GetReplicaLogComponents, limits: Partial<GetReplicaLogLimits> = {}) {
    this.components = components;
    this.store = components.store;
    this.limits = { maxReplyBytes: limits.maxReplyBytes ?? LIMITS.maxReplicaLogReplyBytes, maxConcurrent: limits.maxConcurrent ?? LIMITS.maxConcurrentReplicaLogCalls };
  }

  async handle(rawParams: unknown, context: { signal: AbortSignal }): Promise<GetReplicaLogResult> {
    const params = parseParams(getReplicaLogParamsSchema, rawParams);
    await checkReplicaLogAuth(this.components, params, context.signal);
    if (this.running >= this.limits.maxConcurrent) {
      throw new RpcApplicationError(RpcErrorCode.Unavailable, `${this.running} GetReplicaLog calls are being served, the limit; retry later`);
    }
    this.running += 1;
    try {
      const head = await this.store.head(params.ring, params.member);
      const page =
        head === null
          ? { nodes: [], next: null }
          : await this.store.readPage(params.ring, params.member, {
              limit: params.limit ?? 100,
              maxBytes: this.limits.maxReplyBytes,
              ...(params.sinceSeq === undefined ? {} : { sinceSeq: params.sinceSeq }),
              ...(params.from === undefined ? {} : { from: params.from }),
            });
      return {
        ring: params.ring,
        member: params.member,
        head: head?.cid.toString() ?? null,
        headSeq: head?.seq ?? null,
        nodes: page.nodes.map((node) => hexlify(node.bytes)),
        next: page.next?.cid.toString() ?? null,
        nextSeq: page.next?.seq ?? null,
      };
    } finally {
      this.running -= 1;
    }
  }
}
