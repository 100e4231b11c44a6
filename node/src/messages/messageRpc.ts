/**
 * The messages' JSON-RPC methods, served by every member on its JSON-RPC endpoint:
 * `PostMessage { app, type?, payload }` appends `{ message: ... }` to the member's own log (durable
 * before the answer), `ReadMessages { app, after?, limit? }` pages through the agreed order,
 * `GetMessage { cid }` answers one message. Thin adapters: params checked with the api/ schemas,
 * the module's errors mapped to their codes.
 */
import { RPC_METHODS } from "../api/methods.js";
import { RpcErrorCode } from "../api/errorCodes.js";
import type { MessageItem, PostMessageResult, ReadMessagesResult } from "../api/results.js";
import { getMessageParamsSchema, postMessageParamsSchema, readMessagesParamsSchema } from "../api/schemas.js";
import type { RpcMethod } from "../jsonrpc/dispatcher.js";
import { RpcApplicationError } from "../jsonrpc/errorCodes.js";
import { parseParams } from "../jsonrpc/params.js";
import type { OwnLog } from "../log/ownLog.js";
import type { PayloadSealer } from "../replica/sealedLog.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { messageEntry } from "./entry.js";
import { MessageTooLargeError, PayloadNotCborError, UnknownCursorError } from "./errors.js";
import type { MessageBook } from "./messageBook.js";
import { itemOf } from "./item.js";

export interface MessageRpcComponents {
  book: Pick<MessageBook, "scan" | "get" | "order" | "nodeBytes">;
  ownLog: Pick<OwnLog, "append" | "author">;
  /** Seals the entry as the ring writes (readKeys.ts); the entry itself when absent. */
  sealer?: PayloadSealer;
  /** A message was appended (the rounds are told, so a round starts for it). */
  onPosted?: () => void;
}

const DEFAULT_LIMIT = 100;

export function messageRpcMethods(components: MessageRpcComponents): Record<string, RpcMethod> {
  const { book, ownLog, sealer } = components;
  return {
    [RPC_METHODS.PostMessage]: async (params): Promise<PostMessageResult> => {
      const fields = parseParams(postMessageParamsSchema, params);
      let entry;
      try {
        entry = messageEntry({ app: fields.app, payload: fields.payload, ...(fields.type === undefined ? {} : { type: fields.type }) });
      } catch (error) {
        if (error instanceof MessageTooLargeError) throw new RpcApplicationError(RpcErrorCode.MessageTooLarge, error.message);
        if (error instanceof PayloadNotCborError) throw new RpcApplicationError(RpcErrorCode.PayloadNotCbor, error.message);
        throw error;
      }
      let node;
      try {
        node = await ownLog.append(sealer === undefined ? entry : await sealer.seal(entry));
      } catch (error) {
        throw new RpcApplicationError(RpcErrorCode.Unavailable, `the log could not be written: ${(error as Error).message}`);
      }
      await book.scan();
      components.onPosted?.();
      return { cid: node.cid.toString(), seq: node.node.seq, author: node.node.author };
    },
    [RPC_METHODS.ReadMessages]: async (params): Promise<ReadMessagesResult> => {
      const { app, after, limit, withNodes } = parseParams(readMessagesParamsSchema, params);
      await book.scan();
      let position = null;
      if (after !== undefined) {
        try {
          position = decodeCursor(app, after);
        } catch (error) {
          if (error instanceof UnknownCursorError) throw new RpcApplicationError(RpcErrorCode.UnknownCursor, error.message);
          throw error;
        }
        if (!book.order.isFinalPosition(app, position)) throw new RpcApplicationError(RpcErrorCode.UnknownCursor, "the cursor names no final message held here (yet)");
      }
      const page = book.order.read(app, position, limit ?? DEFAULT_LIMIT);
      const messages = page.items.map(itemOf);
      if (withNodes === true) {
        for (const item of messages) {
          const bytes = await book.nodeBytes(item.author, item.seq);
          if (bytes !== null) item.node = `0x${Buffer.from(bytes).toString("hex")}`;
        }
      }
      return { messages, cursor: page.last === null ? null : encodeCursor(app, page.last), finalRound: book.order.finalRound };
    },
    [RPC_METHODS.GetMessage]: async (params): Promise<MessageItem> => {
      const { cid } = parseParams(getMessageParamsSchema, params);
      await book.scan();
      const found = book.get(cid.toString());
      if (found === undefined) throw new RpcApplicationError(RpcErrorCode.UnknownMessage, `${cid.toString()} is no message held here`);
      return itemOf(found);
    },
  };
}
