/** Talks to a running node's control endpoint, found through `<dataDir>/control.json`. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CONTROL_FILE, type ControlInfo } from "./server.js";

export class NodeNotRunningError extends Error {
  override name = "NodeNotRunningError";
}
export class ControlRequestError extends Error {
  override name = "ControlRequestError";
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

export async function readControlInfo(dataDir: string): Promise<ControlInfo> {
  try {
    return JSON.parse(await readFile(join(dataDir, CONTROL_FILE), "utf8")) as ControlInfo;
  } catch {
    throw new NodeNotRunningError(`no running node found for ${dataDir} (no ${CONTROL_FILE})`);
  }
}

export class ControlClient {
  constructor(
    readonly info: ControlInfo,
    private readonly timeoutMs = 30_000,
  ) {}

  static async forDataDir(dataDir: string, timeoutMs?: number): Promise<ControlClient> {
    return new ControlClient(await readControlInfo(dataDir), timeoutMs);
  }

  async request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.info.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.info.token}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new NodeNotRunningError(`node at ${this.info.url} does not answer: ${(error as Error).message}`);
    }
    const parsed = (await response.json()) as T & { error?: string; message?: string };
    if (!response.ok) throw new ControlRequestError(response.status, parsed.error ?? "Error", parsed.message ?? response.statusText);
    return parsed;
  }

  status<T = unknown>(): Promise<T> {
    return this.request("GET", "/status");
  }

  append(payload: unknown, links?: string[]): Promise<{ seq: number; cid: string }> {
    return this.request("POST", "/append", { payload, links });
  }

  rejections<T = unknown>(): Promise<T> {
    return this.request("GET", "/rejections");
  }

  forks<T = unknown>(): Promise<T> {
    return this.request("GET", "/forks");
  }

  log<T = unknown>(author: string, from = 0, limit = 100): Promise<T> {
    return this.request("GET", `/log/${author}?from=${from}&limit=${limit}`);
  }

  /** Whether the node's blockstore holds the block (whatever log it belongs to). */
  async holdsBlock(cid: string): Promise<boolean> {
    return (await this.request<{ held: boolean }>("GET", `/block/${cid}`)).held;
  }

  exchange(): Promise<{ ok: boolean }> {
    return this.request("POST", "/exchange");
  }
}
