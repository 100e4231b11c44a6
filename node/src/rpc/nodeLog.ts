/**
 * What the JSON-RPC methods need from the node's own single-writer log: append a message (a
 * dag-cbor payload) durably and learn its CID. The ring node passes its log store (node/src/log)
 * in; messages then replicate to the rest of the (replica) ring like any other append.
 */
import type { CID } from "multiformats/cid";
import type { OwnLog } from "../log/ownLog.js";
import type { PayloadSealer } from "../replica/sealedLog.js";

export interface AppendedMessage {
  cid: CID;
  seq: number;
}

export interface NodeLogWriter {
  append(payload: unknown, options?: { signal?: AbortSignal }): Promise<AppendedMessage>;
}

/**
 * The node's own log as the RPC methods write to it; with `sealer` (the replica ring's read keys)
 * every record is sealed first, like every other payload of the ring (plaintext in a public ring).
 */
export function ownLogWriter(ownLog: Pick<OwnLog, "append">, sealer?: PayloadSealer): NodeLogWriter {
  return {
    append: async (payload) => {
      const node = await ownLog.append(sealer === undefined ? payload : await sealer.seal(payload));
      return { cid: node.cid, seq: node.node.seq };
    },
  };
}

/** The application domain of the messages the JSON-RPC methods write (the seed's `application_domsep`). */
export const APPLICATION_DOMSEP = "GlobalAddressRing";

/** `received`: the node took on a client's request ("hi! I will do it"). */
export interface FlushReceivedMessage {
  application_domsep: typeof APPLICATION_DOMSEP;
  type: "FlushToRing";
  status: "received";
  msg_hash: string;
  payload: {
    avatar: string;
    ring: string;
    mtx: Record<string, string>;
    mtx_sig: string;
    /** The client's serialised log nodes, as given (dag-cbor bytes; payloads encrypted with its read key). */
    logNodes: Uint8Array[];
  };
}

/** `relayed` ("Hi! I've done it!"), or `failed` when the chain refused the meta-transaction. */
export interface FlushOutcomeMessage {
  application_domsep: typeof APPLICATION_DOMSEP;
  type: "FlushToRing";
  status: "relayed" | "failed";
  msg_hash: string;
  payload: { tx: string | null; txfee: string | null; reason?: string };
}

/** A client ring registered with this replica ring. */
export interface ReplicateRegisteredMessage {
  application_domsep: typeof APPLICATION_DOMSEP;
  type: "ReplicateRing";
  status: "relayed";
  msg_hash: string;
  payload: { ring: string; replica_ring: string; registrant: string; tx: string; txfee: string; replica_key_id: string };
}
