/**
 * Errors of the HTTP transport (the JSON-RPC error codes and the methods' error classes are in
 * errorCodes.ts). Each carries the HTTP status it is answered with.
 */

/** A request refused before its body is read: wrong Host or Origin, no credential, not JSON. */
export abstract class RequestRefusedError extends Error {
  abstract readonly status: number;
}

/** The Host header is not the address the server listens on, or the Origin is a foreign page (HTTP 403). */
export class ForeignOriginError extends RequestRefusedError {
  override name = "ForeignOriginError";
  readonly status = 403;
}

/** The bearer token is missing or wrong (HTTP 401). */
export class MissingTokenError extends RequestRefusedError {
  override name = "MissingTokenError";
  readonly status = 401;
}

/** A POST whose Content-Type is not `application/json` (HTTP 415). */
export class NotJsonError extends RequestRefusedError {
  override name = "NotJsonError";
  readonly status = 415;
}
