/**
 * The shapes of every method's params, checked with zod before a method runs (the server answers
 * anything that does not parse with -32602 and the path of the first bad field: jsonrpc/params.ts).
 * A client may check what it sends with the same schemas.
 */
import { getAddress } from "ethers";
import { CID } from "multiformats/cid";
import { z } from "zod";

/** Upper bounds that keep one request's work small. */
export const LIMITS = {
  /** Log nodes in one FlushToRing. */
  maxLogNodes: 256,
  /** Bytes of one serialised log node. */
  maxLogNodeBytes: 64 * 1024,
  /** Bytes of a forward request's calldata. */
  maxMtxDataBytes: 4 * 1024,
  /**
   * Bytes of log nodes in one GetReplicaLog answer (as bytes, before hex): a page stops before the
   * node that would pass it (the first node always goes, so a page of one large node still moves
   * on; a node is one block, at most 2 MiB), and says where the next page starts.
   */
  maxReplicaLogReplyBytes: 4 * 1024 * 1024,
  /** GetReplicaLog calls one node serves at once; further ones are answered -32012 at once. */
  maxConcurrentReplicaLogCalls: 2,
  /** Bytes of one message entry `{ message: { app, type?, payload } }` as dag-cbor (before encryption). */
  maxMessageBytes: 16 * 1024,
  /** Characters of a message's `app` and `type`. */
  maxMessageNameLength: 128,
  /** Messages in one ReadMessages answer (default 100). */
  maxReadMessages: 1_000,
  /** Messages in one ReadMessages answer that carries their signed log nodes (`withNodes`). */
  maxReadMessagesWithNodes: 100,
} as const;

const UINT256_MAX = (1n << 256n) - 1n;
const UINT48_MAX = (1n << 48n) - 1n;

/** A 0x address; mixed case must carry a right EIP-55 checksum. Normalised to the checksummed form. */
export const addressSchema = z.string().transform((value, context) => {
  if (/^0x[0-9a-fA-F]{40}$/.test(value)) {
    try {
      return getAddress(value);
    } catch {
      // A mixed-case address whose checksum is wrong.
    }
  }
  context.addIssue({ code: z.ZodIssueCode.custom, message: "expected a 0x-prefixed 20-byte address (checksum, if mixed case, must be right)" });
  return z.NEVER;
});

/** A CID in its string form, parsed. */
export const cidStringSchema = z.string().max(200).transform((value, context) => {
  try {
    return CID.parse(value);
  } catch {
    context.addIssue({ code: z.ZodIssueCode.custom, message: "expected a CID string" });
    return z.NEVER;
  }
});

function hexBytes(options: { exactBytes?: number; maxBytes?: number }) {
  return z.string().refine((value) => {
    if (!/^0x([0-9a-fA-F]{2})*$/.test(value)) return false;
    const bytes = (value.length - 2) / 2;
    if (options.exactBytes !== undefined && bytes !== options.exactBytes) return false;
    if (options.maxBytes !== undefined && bytes > options.maxBytes) return false;
    return true;
  }, options.exactBytes !== undefined ? `expected 0x-prefixed hex of ${options.exactBytes} bytes` : `expected 0x-prefixed hex of at most ${options.maxBytes} bytes`);
}

function unsignedInteger(max: bigint) {
  return z.union([z.string(), z.number()]).transform((value, context) => {
    const text = typeof value === "number" ? (Number.isSafeInteger(value) ? value.toString() : "") : value;
    if (!/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(text)) {
      context.addIssue({ code: z.ZodIssueCode.custom, message: "expected an unsigned integer (decimal or 0x hex string)" });
      return z.NEVER;
    }
    const parsed = BigInt(text);
    if (parsed > max) {
      context.addIssue({ code: z.ZodIssueCode.custom, message: `integer exceeds ${max.toString()}` });
      return z.NEVER;
    }
    return parsed.toString();
  });
}

/** An ERC-2771 `ForwardRequest` as JSON: what the avatar signed with EIP-712. */
export const forwardRequestSchema = z
  .object({
    from: addressSchema,
    to: addressSchema,
    value: unsignedInteger(UINT256_MAX),
    gas: unsignedInteger(UINT256_MAX),
    nonce: unsignedInteger(UINT256_MAX),
    deadline: unsignedInteger(UINT48_MAX),
    data: hexBytes({ maxBytes: LIMITS.maxMtxDataBytes }),
  })
  .strict();

export const signatureSchema = hexBytes({ exactBytes: 65 });

/** A ForwardRequest that carries its own signature (the forwarder's `ForwardRequestData` plus the nonce). */
export const signedForwardRequestSchema = forwardRequestSchema.extend({ signature: signatureSchema }).strict();

export const flushToRingParamsSchema = z
  .object({
    avatar: addressSchema,
    ring: addressSchema,
    mtx: forwardRequestSchema,
    mtx_sig: signatureSchema,
    /** Serialised (dag-cbor, 0x hex) log nodes of the avatar, newest first, back to its on-chain head. */
    logNodes: z.array(hexBytes({ maxBytes: LIMITS.maxLogNodeBytes })).min(1).max(LIMITS.maxLogNodes),
    /** HMAC-SHA256 over the request keyed by the ring's replica key. */
    mac: hexBytes({ exactBytes: 32 }),
  })
  .strict();

export const replicateRingParamsSchema = z
  .object({
    ring: addressSchema,
    replica_ring: addressSchema,
    replica_key: hexBytes({ exactBytes: 32 }),
    /** The signed request: the ForwardRequest fields plus its EIP-712 `signature`. */
    mtx: signedForwardRequestSchema,
  })
  .strict();

export const getFlushStatusParamsSchema = z.object({ id: hexBytes({ exactBytes: 32 }) }).strict();

export const getReplicaLogParamsSchema = z
  .object({
    ring: addressSchema,
    member: addressSchema,
    /** Only nodes with a greater seq. */
    sinceSeq: z.number().int().min(-1).optional(),
    limit: z.number().int().min(1).max(1_000).optional(),
    /** Start at this node of the member's log (a previous answer's `next`) instead of the head. */
    from: cidStringSchema.optional(),
    /**
     * Who may read: an HMAC keyed by the ring's replica key over (ring, member, expires), or a
     * ring member's EIP-191 signature of the same (node/src/replica/requestMacs.ts).
     */
    auth: z.union([
      z.object({ expires: z.number().int().min(0).max(2 ** 40), mac: hexBytes({ exactBytes: 32 }) }).strict(),
      z.object({ expires: z.number().int().min(0).max(2 ** 40), signature: signatureSchema }).strict(),
    ]),
  })
  .strict();

/** A message's application domain (the seed's `msg_domsep`) or type: a non-empty string. */
const messageName = z.string().min(1).max(LIMITS.maxMessageNameLength);

export const postMessageParamsSchema = z
  .object({
    app: messageName,
    type: messageName.optional(),
    /** Any JSON value; its size and encodability are checked when the entry is encoded. */
    payload: z.unknown().refine((value) => value !== undefined, "payload is required"),
  })
  .strict();

export const readMessagesParamsSchema = z
  .object({
    app: messageName,
    /** The `cursor` of a previous answer: read on after it. */
    after: z.string().min(1).max(512).optional(),
    limit: z.number().int().min(1).max(LIMITS.maxReadMessages).optional(),
    /** Each message with its signed log node (hex), so the reader can check it; `limit` at most maxReadMessagesWithNodes. */
    withNodes: z.boolean().optional(),
  })
  .strict()
  .refine((params) => params.withNodes !== true || (params.limit ?? 100) <= LIMITS.maxReadMessagesWithNodes, { message: `with withNodes, limit is at most ${LIMITS.maxReadMessagesWithNodes}`, path: ["limit"] });

export const getMessageParamsSchema = z.object({ cid: cidStringSchema }).strict();

export type FlushToRingParams = z.infer<typeof flushToRingParamsSchema>;
export type ReplicateRingParams = z.infer<typeof replicateRingParamsSchema>;
export type GetFlushStatusParams = z.infer<typeof getFlushStatusParamsSchema>;
export type GetReplicaLogParams = z.infer<typeof getReplicaLogParamsSchema>;
export type PostMessageParams = z.infer<typeof postMessageParamsSchema>;
export type ReadMessagesParams = z.infer<typeof readMessagesParamsSchema>;
export type GetMessageParams = z.infer<typeof getMessageParamsSchema>;
