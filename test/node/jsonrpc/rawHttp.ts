/** A raw HTTP request (node:http, so Host and Origin can be set as a browser or a rebinding page would). */
import { request } from "node:http";

export interface RawAnswer {
  status: number;
  body: string;
}

export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number; localAddress?: string } = {}): Promise<RawAnswer> {
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = request(url, { method: options.method ?? "POST", headers: options.headers ?? {}, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000), ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}
