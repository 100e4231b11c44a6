/**
 * A message as a log-node payload: `{ message: { app, type?, payload } }` (`app` is the seed's
 * `msg_domsep`). With the ring's read key the node carries the entry encrypted (the read-key
 * envelope of replica/payloadCipher.ts, ring and author as associated data); without one, the entry
 * itself, as the node's other entries are stored today.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { LIMITS } from "../api/schemas.js";
import { decryptPayload, encryptPayload, isEncryptedPayload, type PayloadContext } from "../replica/payloadCipher.js";
import { MessageTooLargeError, PayloadNotCborError } from "./errors.js";

export interface MessageFields {
  app: string;
  type?: string;
  payload: unknown;
}

export interface MessageEntry {
  message: MessageFields;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** The entry for `fields`, checked: dag-cbor-encodable and at most LIMITS.maxMessageBytes. */
export function messageEntry(fields: MessageFields): MessageEntry {
  const message: MessageFields = { app: fields.app, payload: fields.payload };
  if (fields.type !== undefined) message.type = fields.type;
  const entry = { message };
  let bytes: Uint8Array;
  try {
    bytes = dagCbor.encode(entry);
  } catch (error) {
    throw new PayloadNotCborError(`dag-cbor cannot encode the payload: ${(error as Error).message}`);
  }
  if (bytes.length > LIMITS.maxMessageBytes) throw new MessageTooLargeError(`the message is ${bytes.length} bytes as dag-cbor, more than ${LIMITS.maxMessageBytes}`);
  return entry;
}

/** What the log node carries for `entry`: the read-key envelope when a key is given, else the entry. */
export function sealMessage(entry: MessageEntry, readKey: Uint8Array | undefined, context: PayloadContext): unknown {
  return readKey === undefined ? entry : encryptPayload(readKey, entry, context);
}

/**
 * The message a log-node payload carries, or null when it carries none (another entry, a malformed
 * one, or an envelope this node has no key for or that does not decrypt).
 */
export function openMessage(payload: unknown, readKey: Uint8Array | undefined, context: PayloadContext): MessageFields | null {
  let entry = payload;
  if (isEncryptedPayload(payload)) {
    if (readKey === undefined) return null;
    try {
      entry = decryptPayload(readKey, payload, context);
    } catch {
      return null;
    }
  }
  if (!isRecord(entry) || !isRecord(entry.message)) return null;
  const { app, type, payload: body } = entry.message;
  if (typeof app !== "string" || app.length === 0 || (type !== undefined && typeof type !== "string") || body === undefined) return null;
  return type === undefined ? { app, payload: body } : { app, type, payload: body };
}
