/**
 * Every JSON-RPC error code the ring node answers with. The standard codes come from the
 * JSON-RPC 2.0 specification; the application codes (-32001 ... -32099, the range the spec
 * leaves to servers) each name one reason a request was refused. README's table is this table.
 */
import { JSONRPCErrorException } from "json-rpc-2.0";

export const StandardErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

export const RpcErrorCode = {
  /** FlushToRing check 1: this node holds no replica key for the ring (the ring is not replicated here). */
  ReplicaKeyNotHeld: -32001,
  /** FlushToRing check 2: ecrecover(mtx, mtx_sig) under the forwarder's EIP-712 domain is not `avatar`. */
  MtxSignatureMismatch: -32002,
  /** FlushToRing check 3: `ring.isMember(avatar)` is false on chain. */
  NotAMember: -32003,
  /** FlushToRing check 4: log nodes do not deserialise, are not signed by the avatar, or do not connect to its on-chain head and to each other. */
  LogReplicationIncomplete: -32004,
  /** The mtx was already accepted here, or its nonce is already used on the forwarder. */
  MtxReplayed: -32005,
  /** The mtx is not the call this method relays (wrong target, selector, arguments, value) or its deadline passed. */
  MtxNotRelayable: -32006,
  /** GetFlushStatus: no FlushToRing with this id was accepted by this node. */
  UnknownFlush: -32007,
  /** The chain did not answer in time or failed; nothing was accepted, the request may be retried. */
  ChainUnavailable: -32008,
  /** ReplicateRing: the replica key is malformed, or this node is not a member of `replica_ring`. */
  ReplicaRegistrationRefused: -32009,
  /** The registration meta-transaction was relayed but failed on chain (e.g. no credit left). */
  RelayFailed: -32010,
  /** The HTTP body exceeds the node's limit (also answered with HTTP status 413). */
  RequestTooLarge: -32011,
  /** The node is shutting down or cannot write its log; nothing was accepted. */
  Unavailable: -32012,
} as const;

export type RpcErrorCodeValue = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

/** One message per code, so clients (and the README) see the same words. */
export const RPC_ERROR_MESSAGES: Record<RpcErrorCodeValue, string> = {
  [RpcErrorCode.ReplicaKeyNotHeld]: "replica key for this ring not held",
  [RpcErrorCode.MtxSignatureMismatch]: "ecrecover(mtx, mtx_sig) is not the avatar",
  [RpcErrorCode.NotAMember]: "avatar is not a member of the ring",
  [RpcErrorCode.LogReplicationIncomplete]: "log replication incomplete",
  [RpcErrorCode.MtxReplayed]: "meta-transaction replayed",
  [RpcErrorCode.MtxNotRelayable]: "meta-transaction not relayable",
  [RpcErrorCode.UnknownFlush]: "unknown flush",
  [RpcErrorCode.ChainUnavailable]: "chain unavailable",
  [RpcErrorCode.ReplicaRegistrationRefused]: "replica registration refused",
  [RpcErrorCode.RelayFailed]: "relay failed",
  [RpcErrorCode.RequestTooLarge]: "request too large",
  [RpcErrorCode.Unavailable]: "node unavailable",
};

/** An application error: thrown by a method, answered as `{ code, message, data }`. */
export class RpcApplicationError extends JSONRPCErrorException {
  override name = "RpcApplicationError";

  constructor(code: RpcErrorCodeValue, detail?: string, data?: unknown) {
    const base = RPC_ERROR_MESSAGES[code];
    super(detail === undefined ? base : `${base}: ${detail}`, code, data);
  }
}

export class InvalidParamsError extends JSONRPCErrorException {
  override name = "InvalidParamsError";

  constructor(detail: string, data?: unknown) {
    super(`Invalid params: ${detail}`, StandardErrorCode.InvalidParams, data);
  }
}
