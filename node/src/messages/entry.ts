/**
 * A message as a log-node payload: `{ message: { app, type?, payload } }` (`app` is the seed's
 * `msg_domsep`). A member node seals it with the ring's read key of the current epoch
 * (replica/readKeys.ts) and reads it back through the same reader as every entry; `sealMessage` /
 * `openMessage` are the single-key form (one read key, no epochs) for light clients and tests.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { LIMITS } from "../api/schemas.js";
import { decryptPayload, encryptPayload, isEncryptedPayload, type PayloadContext } from "../replica/payloadCipher.js";
import { asMessage, type MessageEntry, type MessageFields } from "../core/messageEntry.js";
import { MessageTooLargeError, PayloadNotCborError } from "./errors.js";

export { asMessage, type MessageEntry, type MessageFields } from "../core/messageEntry.js";

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
  return asMessage(entry);
}
