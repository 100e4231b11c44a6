/** The JSON-RPC method names of the ring node, exactly as clients call them. */
export const RPC_METHODS = {
  FlushToRing: "FlushToRing",
  ReplicateRing: "ReplicateRing",
  GetFlushStatus: "GetFlushStatus",
  GetReplicaLog: "GetReplicaLog",
  PostMessage: "PostMessage",
  ReadMessages: "ReadMessages",
  GetMessage: "GetMessage",
} as const;

export type RpcMethodName = (typeof RPC_METHODS)[keyof typeof RPC_METHODS];
