/**
 * Guards of the node's HTTP servers against the operator's own browser. A web page can send
 * "simple" cross-origin requests (a `text/plain` POST needs no CORS preflight) to 127.0.0.1, and
 * with DNS rebinding (its own host name re-pointed at 127.0.0.1) even read the answers. So the
 * LOCAL servers (jobs, control, metrics) refuse a Host header that is not their listen address,
 * any Origin but their own, and a request without their bearer token; every JSON server
 * (the public JSON-RPC one too) refuses a POST that is not `application/json`, which a page
 * cannot send cross-origin without a preflight that these servers never answer.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { ForeignOriginError, MissingTokenError, NotJsonError } from "./errors.js";

/** A fresh bearer token (24 random bytes, hex). */
export function newToken(): string {
  return randomBytes(24).toString("hex");
}

const WILDCARDS = new Set(["0.0.0.0", "::", "::0"]);
const LOOPBACKS = new Set(["127.0.0.1", "::1"]);

/**
 * The Host header values a request to this listen address may carry: `ip:port`, and `localhost:port`
 * for a loopback address. Null for a wildcard address (0.0.0.0, ::), whose names are not known:
 * then only the Origin check applies.
 */
export function allowedHosts(address: AddressInfo): ReadonlySet<string> | null {
  if (WILDCARDS.has(address.address)) return null;
  const ip = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const hosts = new Set([`${ip}:${address.port}`]);
  if (LOOPBACKS.has(address.address)) hosts.add(`localhost:${address.port}`);
  return hosts;
}

/**
 * Refuses (ForeignOriginError) a Host header outside `hosts` (DNS rebinding) and an Origin header
 * that is not `http://<one of hosts>` (a foreign page; with `hosts` null, any Origin). Clients
 * that are not browsers send no Origin.
 */
export function checkHostAndOrigin(request: IncomingMessage, hosts: ReadonlySet<string> | null): void {
  const host = (request.headers.host ?? "").toLowerCase();
  if (hosts !== null && !hosts.has(host)) throw new ForeignOriginError(`Host ${JSON.stringify(request.headers.host ?? "")} is not this server's address`);
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const allowed = hosts !== null && [...hosts].some((name) => origin.toLowerCase() === `http://${name}`);
  if (!allowed) throw new ForeignOriginError(`requests from Origin ${JSON.stringify(origin)} are refused`);
}

/** Refuses (MissingTokenError) a request whose `Authorization` is not `Bearer <token>` (compared in constant time). */
export function checkBearer(request: IncomingMessage, token: string): void {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(request.headers.authorization ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new MissingTokenError("missing or wrong bearer token");
}

/** Refuses (NotJsonError) a request whose Content-Type is not `application/json` (parameters such as charset allowed). */
export function checkJsonContentType(request: IncomingMessage): void {
  const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") throw new NotJsonError(`Content-Type must be application/json, not ${JSON.stringify(request.headers["content-type"] ?? "")}`);
}
