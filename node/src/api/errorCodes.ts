/**
 * The application error codes of the ring node's JSON-RPC API (-32001 ... -32099, the range the
 * JSON-RPC 2.0 specification leaves to servers), each naming one reason a request was refused,
 * with one message per code so clients and the README see the same words. The standard codes
 * (-32700 ... -32603) and the error classes live with the transport (node/src/jsonrpc).
 */
export const RpcErrorCode = {
  /** FlushToRing check 1, GetReplicaLog: this node holds no replica key for the ring (not replicated here), or the request's MAC is not made with it. */
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
  /** FlushToRing check 4: a log node's payload is not an encrypted envelope (replicated rings' payloads must be). */
  PayloadNotEncrypted: -32013,
  /** The node is shutting down, cannot write its log, or serves its limit of concurrent heavy calls (retry later); nothing was accepted. */
  Unavailable: -32012,
  /** ReadMessages: the cursor does not decode, was given for another app, or names no final message this node holds. */
  UnknownCursor: -32014,
  /** PostMessage: the message's dag-cbor encoding is over LIMITS.maxMessageBytes. */
  MessageTooLarge: -32015,
  /** PostMessage: the payload cannot be encoded as dag-cbor (e.g. a number that is not finite). */
  PayloadNotCbor: -32016,
  /** GetMessage: no message with this CID is held here. */
  UnknownMessage: -32017,
  /** SubscribeMessages, SubscribeHeads: the socket holds WS_LIMITS.maxSubscriptionsPerSocket subscriptions already. */
  TooManySubscriptions: -32018,
  /** Unsubscribe: no subscription with this id on this socket. */
  UnknownSubscription: -32019,
} as const;

export type RpcErrorCodeValue = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

/** One message per code, so clients (and the README) see the same words. */
export const RPC_ERROR_MESSAGES: Record<RpcErrorCodeValue, string> = {
  [RpcErrorCode.ReplicaKeyNotHeld]: "replica key for this ring not held or not proven",
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
  [RpcErrorCode.PayloadNotEncrypted]: "payload not encrypted",
  [RpcErrorCode.UnknownCursor]: "unknown cursor",
  [RpcErrorCode.MessageTooLarge]: "message too large",
  [RpcErrorCode.PayloadNotCbor]: "payload not CBOR-encodable",
  [RpcErrorCode.UnknownMessage]: "unknown message",
  [RpcErrorCode.TooManySubscriptions]: "too many subscriptions",
  [RpcErrorCode.UnknownSubscription]: "unknown subscription",
};
