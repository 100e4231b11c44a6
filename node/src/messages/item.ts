/** A message of the agreed order as the API gives it (ReadMessages, GetMessage, `message` notifications). */
import type { MessageItem } from "../api/results.js";
import type { OrderedMessage } from "./order.js";

export function itemOf({ message, round }: OrderedMessage): MessageItem {
  const item: MessageItem = { cid: message.cid, author: message.author, seq: message.seq, app: message.app, payload: message.payload, status: round === null ? "tentative" : "final", round };
  if (message.ts !== undefined) item.ts = message.ts;
  if (message.type !== undefined) item.type = message.type;
  return item;
}
