/**
 * GetReplicaLog `{ ring, member, sinceSeq?, limit? }`: serves what this replica node holds of a
 * client ring member's log, newest first, as the signed dag-cbor blocks (0x hex) exactly as the
 * member wrote them. Payloads stay encrypted with the client ring's read key: a reader with the
 * key verifies each node with the shared codec and decrypts it; the replica cannot.
 */
import { hexlify } from "ethers";
import type { GetReplicaLogResult } from "../../api/results.js";
import { getReplicaLogParamsSchema } from "../../api/schemas.js";
import { parseParams } from "../../jsonrpc/params.js";
import type { ReplicaStore } from "../../replica/replicaStore.js";

export class GetReplicaLogMethod {
  private readonly store: Pick<ReplicaStore, "head" | "readLog">;

  constructor(store: Pick<ReplicaStore, "head" | "readLog">) {
    this.store = store;
  }

  async handle(rawParams: unknown): Promise<GetReplicaLogResult> {
    const params = parseParams(getReplicaLogParamsSchema, rawParams);
    const head = await this.store.head(params.ring, params.member);
    const options: { sinceSeq?: number; limit?: number } = { limit: params.limit ?? 100 };
    if (params.sinceSeq !== undefined) options.sinceSeq = params.sinceSeq;
    const nodes = head === null ? [] : await this.store.readLog(params.ring, params.member, options);
    return {
      ring: params.ring,
      member: params.member,
      head: head?.cid.toString() ?? null,
      headSeq: head?.seq ?? null,
      nodes: nodes.map((node) => hexlify(node.bytes)),
    };
  }
}
