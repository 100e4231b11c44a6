/**
 * The params of every method as a client sends them (the schemas in schemas.ts are what the
 * server accepts: the same shapes, with integers also as numbers and addresses in any case).
 */

/** An ERC-2771 ForwardRequest on the wire: integers as decimal (or 0x) strings, bytes as 0x hex. */
export interface ForwardRequestJson {
  from: string;
  to: string;
  value: string;
  gas: string;
  nonce: string;
  deadline: string;
  data: string;
}

/** FlushToRing params. */
export interface FlushToRingRequest {
  avatar: string;
  ring: string;
  /** `Ring.updateLogHead(newest of logNodes)`, signed with EIP-712 under the forwarder's domain. */
  mtx: ForwardRequestJson;
  mtx_sig: string;
  /** Serialised log nodes (dag-cbor, 0x hex), newest first, back to the avatar's on-chain head. */
  logNodes: string[];
  /** HMAC-SHA256 of the request keyed by the ring's replica key (node/src/replica/requestMacs.ts `flushMac`), 0x hex. */
  mac: string;
}

/** ReplicateRing params: `mtx` (`ReplicaRing.register(ring, replicaKeyCommitment(replica_key))`) carries its own signature. */
export interface ReplicateRingRequest {
  ring: string;
  replica_ring: string;
  /** The ring's replica key, 32 bytes as 0x hex. */
  replica_key: string;
  mtx: ForwardRequestJson & { signature: string };
}

/** GetFlushStatus params: the id FlushToRing answered with (the mtx's EIP-712 digest). */
export interface GetFlushStatusRequest {
  id: string;
}

/** GetReplicaLog params. */
export interface GetReplicaLogRequest {
  ring: string;
  member: string;
  /** Only nodes with a greater seq. */
  sinceSeq?: number;
  /** At most this many nodes (1 ... 1000; default 100); an answer also stops at LIMITS.maxReplicaLogReplyBytes. */
  limit?: number;
  /** Start at this node (CID string: the `next` of the previous page) instead of the head. */
  from?: string;
  /** Who may read (node/src/client/requests.ts `replicaLogAuth` / `signReplicaLogAuth`). */
  auth: ReplicaLogAuth;
}

/**
 * GetReplicaLog's authorisation, valid until `expires` (unix seconds, at most 10 minutes ahead):
 * an HMAC-SHA256 keyed by the ring's replica key (`mac`), or the EIP-191 signature of a ring
 * member (`signature`) over the same (ring, member, expires).
 */
export type ReplicaLogAuth = { expires: number; mac: string } | { expires: number; signature: string };

/** PostMessage params: appended as `{ message: { app, type?, payload } }` to the member's own log. */
export interface PostMessageRequest {
  /** The application domain (the seed's `msg_domsep`). */
  app: string;
  type?: string;
  /** Any JSON value; the entry's dag-cbor encoding must fit LIMITS.maxMessageBytes. */
  payload: unknown;
}

/** ReadMessages params. */
export interface ReadMessagesRequest {
  app: string;
  /** The `cursor` of the previous answer. */
  after?: string;
  /** 1 ... 1000, default 100 (at most 100 with `withNodes`). */
  limit?: number;
  /** Each message with its signed log node (`node`, hex). */
  withNodes?: boolean;
}

/** GetMessage params: the CID PostMessage answered with. */
export interface GetMessageRequest {
  cid: string;
}
