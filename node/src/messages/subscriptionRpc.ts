/**
 * The subscription methods, served on the node's WebSocket endpoint only (they need the socket the
 * notifications go to): `SubscribeMessages { app, after? }` and `SubscribeHeads {}` answer `{ id }`,
 * then send `message` / `head` notifications; `Unsubscribe { id }` answers `true`. Params checked
 * with the api/ schemas; the hub's errors mapped to their codes.
 */
import { RpcErrorCode } from "../api/errorCodes.js";
import { SUBSCRIPTION_METHODS, subscribeHeadsParamsSchema, subscribeMessagesParamsSchema, unsubscribeParamsSchema, type SubscribeResult } from "../api/subscriptions.js";
import type { RpcCallContext, RpcConnection, RpcMethod } from "../jsonrpc/dispatcher.js";
import { InvalidParamsError, RpcApplicationError } from "../jsonrpc/errorCodes.js";
import { parseParams } from "../jsonrpc/params.js";
import { decodeCursor, type MessagePosition } from "./cursor.js";
import { TooManySubscriptionsError, UnknownCursorError } from "./errors.js";
import type { MessageBook } from "./messageBook.js";
import type { SubscriptionHub } from "./subscriptionHub.js";

export interface SubscriptionRpcComponents {
  hub: Pick<SubscriptionHub, "subscribeMessages" | "subscribeHeads" | "unsubscribe">;
  book: Pick<MessageBook, "scan" | "order">;
}

function connectionOf(context: RpcCallContext): RpcConnection {
  if (context.connection === undefined) throw new InvalidParamsError("subscriptions are served over WebSocket only");
  return context.connection;
}

/** `run()` as a promise: its value, or its throw as the rejection. */
function settled<T>(run: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(run()));
}

function subscribing(subscribe: () => string): SubscribeResult {
  try {
    return { id: subscribe() };
  } catch (error) {
    if (error instanceof TooManySubscriptionsError) throw new RpcApplicationError(RpcErrorCode.TooManySubscriptions, error.message);
    throw error;
  }
}

export function subscriptionRpcMethods({ hub, book }: SubscriptionRpcComponents): Record<string, RpcMethod> {
  return {
    [SUBSCRIPTION_METHODS.SubscribeMessages]: async (params, context): Promise<SubscribeResult> => {
      const connection = connectionOf(context);
      const { app, after } = parseParams(subscribeMessagesParamsSchema, params);
      await book.scan();
      let position: MessagePosition | null = null;
      if (after !== undefined) {
        try {
          position = decodeCursor(app, after);
        } catch (error) {
          if (error instanceof UnknownCursorError) throw new RpcApplicationError(RpcErrorCode.UnknownCursor, error.message);
          throw error;
        }
        if (!book.order.isFinalPosition(app, position)) throw new RpcApplicationError(RpcErrorCode.UnknownCursor, "the cursor names no final message held here (yet)");
      }
      return subscribing(() => hub.subscribeMessages(connection, app, position));
    },
    [SUBSCRIPTION_METHODS.SubscribeHeads]: (params, context) =>
      settled((): SubscribeResult => {
        const connection = connectionOf(context);
        parseParams(subscribeHeadsParamsSchema, params ?? {});
        return subscribing(() => hub.subscribeHeads(connection));
      }),
    [SUBSCRIPTION_METHODS.Unsubscribe]: (params, context) =>
      settled((): boolean => {
        const connection = connectionOf(context);
        const { id } = parseParams(unsubscribeParamsSchema, params);
        if (!hub.unsubscribe(connection, id)) throw new RpcApplicationError(RpcErrorCode.UnknownSubscription, `${id} is no subscription of this connection`);
        return true;
      }),
  };
}
