/**
 * A small client of the jobs endpoint (`SubmitJob` / `GetJob` over JSON-RPC 2.0 HTTP): used by
 * `ring-node submit`, the tests and the benchmark. `forDataDir` finds a running node's endpoint and
 * its bearer token (both in `<dataDir>/jobs-rpc.json`, mode 0600).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { JobStatus, SubmitJobRequest } from "./jobService.js";

/** What `<dataDir>/jobs-rpc.json` holds while the node runs. */
export interface JobsRpcInfo {
  url: string;
  /** The bearer token every request to the jobs endpoint carries. */
  token: string;
  pid: number;
  address: string;
}

/** Reads a running node's `jobs-rpc.json` (JobsEndpointNotFoundError when there is none). */
export async function readJobsRpcInfo(dataDir: string): Promise<JobsRpcInfo> {
  try {
    return JSON.parse(await readFile(join(dataDir, "jobs-rpc.json"), "utf8")) as JobsRpcInfo;
  } catch (error) {
    throw new JobsEndpointNotFoundError(`no running node with rounds in ${dataDir} (jobs-rpc.json: ${(error as Error).message}); start it with ring-node start`);
  }
}

export class JobsRpcError extends Error {
  override name = "JobsRpcError";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class JobsEndpointNotFoundError extends Error {
  override name = "JobsEndpointNotFoundError";
}

export interface SubmittedJob {
  job: string;
  entry: string;
  seq: number;
  existing: boolean;
}

export class JobsClient {
  private nextId = 1;

  constructor(
    readonly url: string,
    private readonly token: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** The client of the node running with `dataDir` (the URL and token of its `jobs-rpc.json`). */
  static async forDataDir(dataDir: string): Promise<JobsClient> {
    const info = await readJobsRpcInfo(dataDir);
    return new JobsClient(info.url, info.token);
  }

  submit(request: SubmitJobRequest & { waitMs?: number }): Promise<SubmittedJob & Partial<JobStatus>> {
    const timeout = (request.waitMs ?? 0) + this.timeoutMs;
    return this.call("SubmitJob", request, timeout);
  }

  /** PrepareJob: the job's blocks stored at the node (not appended); resolves with its id. */
  prepare(request: SubmitJobRequest): Promise<{ job: string }> {
    return this.call("PrepareJob", request);
  }

  get(job: string): Promise<JobStatus> {
    return this.call("GetJob", { job });
  }

  /** Polls GetJob until the job is finalised (or `timeoutMs` passes). */
  async waitFinalised(job: string, timeoutMs: number, onStatus?: (status: JobStatus) => void, intervalMs = 100): Promise<JobStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: JobStatus | undefined;
    for (;;) {
      try {
        last = await this.get(job);
        onStatus?.(last);
        if (last.status === "finalised") return last;
      } catch (error) {
        if (!(error instanceof JobsRpcError)) throw error;
      }
      if (Date.now() > deadline) throw new JobsRpcError(-32043, `job ${job} not finalised within ${timeoutMs} ms (last status: ${last?.status ?? "unknown"})`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  private async call<T>(method: string, params: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { result?: T; error?: { code: number; message: string } };
    if (body.error !== undefined) throw new JobsRpcError(body.error.code, body.error.message);
    return body.result as T;
  }
}
