/**
 * A message as a log-node payload (plaintext): `{ message: { app, type?, payload } }`, `app` the
 * seed's `msg_domsep`. Read by members (messages/entry.ts re-exports it) and replaying clients.
 */

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

/** The message a plaintext entry is, or null (another entry, or a malformed one). */
export function asMessage(entry: unknown): MessageFields | null {
  if (!isRecord(entry) || !isRecord(entry.message)) return null;
  const { app, type, payload: body } = entry.message;
  if (typeof app !== "string" || app.length === 0 || (type !== undefined && typeof type !== "string") || body === undefined) return null;
  return type === undefined ? { app, payload: body } : { app, type, payload: body };
}
