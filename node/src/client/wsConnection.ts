/**
 * One JSON-RPC 2.0 WebSocket connection to a ring node (the endpoint's URL, `http://` as
 * `jsonrpc.json` gives it, or `ws://`): calls with ids and timeouts, notifications handed to
 * listeners, and the close code and reason when the socket ends. Bounded: at most
 * `maxPendingCalls` calls wait for their answer at once.
 */
import { WebSocket, type RawData } from "ws";
import { RingsRpcError, RingsRpcTransportError } from "./ringsRpcClient.js";

export interface WsConnectionOptions {
  /** Per call, unless the call passes its own signal (default 10 s). */
  timeoutMs?: number;
  /** Sent with the upgrade (e.g. `Authorization: Bearer` for a local endpoint). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  maxPendingCalls?: number;
}

export interface WsClose {
  code: number;
  reason: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The ws:// URL of a node's JSON-RPC endpoint given as http://, https:// or ws://. */
export function wsUrlOf(url: string): string {
  return url.replace(/^http(s?):\/\//, "ws$1://");
}

export class WsConnection {
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private readonly closeListeners = new Set<(close: WsClose) => void>();
  private nextId = 1;
  private ended: WsClose | null = null;

  private constructor(
    private readonly socket: WebSocket,
    private readonly options: WsConnectionOptions,
  ) {
    socket.on("message", (data: RawData) => this.receive(data));
    socket.on("close", (code: number, reason: Buffer) => this.end({ code, reason: reason.toString("utf8") }));
    socket.on("error", () => undefined);
  }

  /** Connects; rejects with RingsRpcTransportError when the upgrade fails or `signal` aborts. */
  static open(url: string, options: WsConnectionOptions = {}): Promise<WsConnection> {
    return new Promise<WsConnection>((resolve, reject) => {
      const socket = new WebSocket(wsUrlOf(url), { headers: options.headers ?? {}, perMessageDeflate: false });
      const onAbort = () => {
        socket.terminate();
        reject(new RingsRpcTransportError("the connection was aborted"));
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      socket.once("open", () => {
        options.signal?.removeEventListener("abort", onAbort);
        resolve(new WsConnection(socket, options));
      });
      socket.once("unexpected-response", (_request, response) => {
        options.signal?.removeEventListener("abort", onAbort);
        socket.terminate();
        reject(new RingsRpcTransportError(`the WebSocket upgrade was refused with HTTP ${response.statusCode ?? "?"}`));
      });
      socket.once("error", (error: Error) => {
        options.signal?.removeEventListener("abort", onAbort);
        reject(new RingsRpcTransportError(`WebSocket: ${error.message}`));
      });
    });
  }

  /** How the socket ended (null while open). */
  get closed(): WsClose | null {
    return this.ended;
  }

  async call<T>(method: string, params: unknown, options: { signal?: AbortSignal } = {}): Promise<T> {
    if (this.ended !== null) throw new RingsRpcTransportError(`${method}: the WebSocket is closed (${this.ended.code} ${this.ended.reason})`);
    if (this.pending.size >= (this.options.maxPendingCalls ?? 64)) throw new RingsRpcTransportError(`${method}: too many calls waiting on this WebSocket`);
    const id = this.nextId++;
    const signal = options.signal ?? AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        reject(new RingsRpcTransportError(`${method}: no answer before the wait ended`));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      const settle = () => signal.removeEventListener("abort", onAbort);
      this.pending.set(id, {
        resolve: (value) => (settle(), resolve(value as T)),
        reject: (error) => (settle(), reject(error)),
      });
      this.socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  /** Sends a text frame as it is (tests of the server's limits). */
  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** Calls `listener` with the params of every `method` notification; returns how to stop. */
  onNotification(method: string, listener: (params: unknown) => void): () => void {
    let set = this.listeners.get(method);
    if (set === undefined) this.listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Calls `listener` once the socket closes (at once when it has). */
  onClose(listener: (close: WsClose) => void): void {
    if (this.ended !== null) listener(this.ended);
    else this.closeListeners.add(listener);
  }

  /** Answers (with `id`) that match no call of this client, e.g. errors to raw frames. */
  readonly stray: Array<{ id: unknown; error?: { code: number; message: string } }> = [];

  close(code = 1000, reason = "client done"): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(code, reason);
  }

  private receive(data: RawData): void {
    let message: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };
    try {
      message = JSON.parse((Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString("utf8")) as typeof message;
    } catch {
      return;
    }
    if (typeof message.method === "string" && message.id === undefined) {
      for (const listener of this.listeners.get(message.method) ?? []) listener(message.params);
      return;
    }
    const pending = typeof message.id === "number" ? this.pending.get(message.id) : undefined;
    if (pending === undefined) {
      if (this.stray.length < 100) this.stray.push(message.error === undefined ? { id: message.id } : { id: message.id, error: message.error });
      return;
    }
    this.pending.delete(message.id as number);
    if (message.error !== undefined) pending.reject(new RingsRpcError(message.error.code, message.error.message, message.error.data));
    else pending.resolve(message.result);
  }

  private end(close: WsClose): void {
    if (this.ended !== null) return;
    this.ended = close;
    for (const pending of this.pending.values()) pending.reject(new RingsRpcTransportError(`the WebSocket closed (${close.code} ${close.reason})`));
    this.pending.clear();
    for (const listener of this.closeListeners) listener(close);
    this.closeListeners.clear();
  }
}
