/**
 * ReadMessages' cursor: a position in the agreed order (round, author, seq) and the app it was
 * given for, as opaque base64url of dag-cbor `[1, app, round, author, seq]`.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { MessagePosition } from "../core/messageOrder.js";
import { UnknownCursorError } from "./errors.js";

export { comparePositions, type MessagePosition } from "../core/messageOrder.js";

const CURSOR_VERSION = 1;

export function encodeCursor(app: string, position: MessagePosition): string {
  return Buffer.from(dagCbor.encode([CURSOR_VERSION, app, position.round, position.author.toLowerCase(), position.seq])).toString("base64url");
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The position a cursor names; UnknownCursorError when it does not decode or was given for another app. */
export function decodeCursor(app: string, cursor: string): MessagePosition {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new UnknownCursorError("the cursor is not base64url");
  let value: unknown;
  try {
    value = dagCbor.decode(Buffer.from(cursor, "base64url"));
  } catch {
    throw new UnknownCursorError("the cursor does not decode");
  }
  if (!Array.isArray(value) || value.length !== 5) throw new UnknownCursorError("the cursor does not decode");
  const [version, forApp, round, author, seq] = value as unknown[];
  if (version !== CURSOR_VERSION || !isCount(round) || !isCount(seq) || typeof author !== "string" || !/^0x[0-9a-f]{40}$/.test(author)) {
    throw new UnknownCursorError("the cursor does not decode");
  }
  if (forApp !== app) throw new UnknownCursorError("the cursor was given for another app");
  return { round, author, seq };
}
