/**
 * A small typed JSON-RPC client for a ring node: `FlushToRing`, `ReplicateRing`, `GetFlushStatus`,
 * `GetReplicaLog`, and the messages' `PostMessage`, `ReadMessages`, `GetMessage`. Every call has a timeout and takes an AbortSignal; an error answer becomes a
 * `RingsRpcError` carrying the node's code (`RpcErrorCode` in node/src/api/errorCodes.ts) and data.
 * Method names, params and results are the API's (node/src/api), shared with the server.
 */
import { RPC_METHODS } from "../api/methods.js";
import type { FlushToRingRequest, GetReplicaLogRequest, PostMessageRequest, ReadMessagesRequest, ReplicateRingRequest } from "../api/requests.js";
import type { FlushToRingResult, GetReplicaLogResult, MessageItem, PostMessageResult, ReadMessagesResult, ReplicateRingResult } from "../api/results.js";

export type { FlushToRingResult, GetReplicaLogResult, MessageItem, PostMessageResult, ReadMessagesResult, ReplicateRingResult };

export class RingsRpcError extends Error {
  override name = "RingsRpcError";
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

export class RingsRpcTransportError extends Error {
  override name = "RingsRpcTransportError";
}

export interface RingsRpcClientOptions {
  /** Per call, unless the call passes its own signal. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
}

interface JsonRpcAnswer {
  jsonrpc: "2.0";
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export class RingsRpcClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private nextId = 1;

  constructor(url: string, options: RingsRpcClientOptions = {}) {
    this.url = url;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async call<T>(method: string, params: unknown, options: CallOptions = {}): Promise<T> {
    const id = this.nextId++;
    const signal = options.signal ?? AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await this.fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal,
      });
    } catch (error) {
      throw new RingsRpcTransportError(`${method}: ${(error as Error).message}`);
    }
    let answer: JsonRpcAnswer;
    try {
      answer = (await response.json()) as JsonRpcAnswer;
    } catch {
      throw new RingsRpcTransportError(`${method}: HTTP ${response.status} without a JSON-RPC answer`);
    }
    if (answer.error !== undefined) throw new RingsRpcError(answer.error.code, answer.error.message, answer.error.data);
    return answer.result as T;
  }

  flushToRing(request: FlushToRingRequest, options?: CallOptions): Promise<FlushToRingResult> {
    return this.call(RPC_METHODS.FlushToRing, request, options);
  }

  replicateRing(request: ReplicateRingRequest, options?: CallOptions): Promise<ReplicateRingResult> {
    return this.call(RPC_METHODS.ReplicateRing, request, options);
  }

  getFlushStatus(id: string, options?: CallOptions): Promise<FlushToRingResult> {
    return this.call(RPC_METHODS.GetFlushStatus, { id }, options);
  }

  getReplicaLog(params: GetReplicaLogRequest, options?: CallOptions): Promise<GetReplicaLogResult> {
    return this.call(RPC_METHODS.GetReplicaLog, params, options);
  }

  postMessage(request: PostMessageRequest, options?: CallOptions): Promise<PostMessageResult> {
    return this.call(RPC_METHODS.PostMessage, request, options);
  }

  readMessages(request: ReadMessagesRequest, options?: CallOptions): Promise<ReadMessagesResult> {
    return this.call(RPC_METHODS.ReadMessages, request, options);
  }

  getMessage(cid: string, options?: CallOptions): Promise<MessageItem> {
    return this.call(RPC_METHODS.GetMessage, { cid }, options);
  }

  /**
   * Every page of a member's log, newest first, until `sinceSeq` (or the first node): asks again
   * from each answer's `next`. Each page's `next` must lie below the page before (seqs only go
   * down), so a node that answers otherwise ends the walk with a RingsRpcTransportError instead of
   * making it endless. Each call has the client's timeout, or `options.signal`.
   */
  async *replicaLogPages(params: Omit<GetReplicaLogRequest, "from">, options?: CallOptions): AsyncGenerator<GetReplicaLogResult> {
    let request: GetReplicaLogRequest = params;
    let lastSeq = Number.POSITIVE_INFINITY;
    for (;;) {
      const page = await this.getReplicaLog(request, options);
      yield page;
      if (page.next === null) return;
      if (page.nodes.length === 0 || page.nextSeq === null || !(page.nextSeq < lastSeq) || page.nextSeq <= (params.sinceSeq ?? -1)) {
        throw new RingsRpcTransportError(`GetReplicaLog: the page's next (seq ${String(page.nextSeq)}) does not move down the log`);
      }
      lastSeq = page.nextSeq;
      request = { ...params, from: page.next };
    }
  }

  /** Asks for the flush's status until it is relayed or failed. */
  async waitForFlush(id: string, options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<FlushToRingResult> {
    const signal = options.signal ?? AbortSignal.timeout(options.timeoutMs ?? 60_000);
    for (;;) {
      const status = await this.getFlushStatus(id, { signal });
      if (status.state !== "received") return status;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(new RingsRpcTransportError(`flush ${id} still pending when the wait ended`));
        };
        // Each pause removes its listener, so a long wait does not pile them up on the signal.
        const timer = setTimeout(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        }, options.intervalMs ?? 200);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    }
  }
}
