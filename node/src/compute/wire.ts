/**
 * The host side of the sandbox wire format (see guestPrelude.ts): IPLD data model values (as
 * @ipld/dag-cbor decodes them) <-> JSON text plus a list of transferred byte buffers.
 */
import { CID } from "multiformats/cid";

export interface WireMessage {
  json: string;
  buffers: Uint8Array[];
  /** Long strings passed beside the JSON (arguments only). */
  strings?: string[];
}

/** Strings at least this long travel beside the JSON instead of inside it. */
const SIDE_STRING_CHARS = 1024;

export class WireFormatError extends Error {
  override name = "WireFormatError";
}

/** Serialises a data model value for `decode` inside the guest. */
export function toWire(value: unknown): WireMessage {
  const buffers: Uint8Array[] = [];
  const strings: string[] = [];
  const json = JSON.stringify(value, function (_key, v: unknown) {
    if (typeof v === "string" && v.length >= SIDE_STRING_CHARS) {
      strings.push(v);
      return { "/": { string: strings.length - 1 } };
    }
    if (typeof v === "bigint") return { "/": { bigint: v.toString() } };
    if (v instanceof Uint8Array) {
      buffers.push(v);
      return { "/": { bytes: buffers.length - 1 } };
    }
    // CIDs arrive here already as {"/": "<cid>"} through CID.prototype.toJSON.
    return v;
  });
  return { json, buffers, strings };
}

/** Parses what the guest's `encode` produced back into a data model value. */
export function fromWire(message: WireMessage): unknown {
  return JSON.parse(message.json, function (_key, value: unknown) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    if (keys.length !== 1 || keys[0] !== "/") return value;
    const special = (value as { "/": unknown })["/"];
    if (typeof special === "string") {
      try {
        return CID.parse(special);
      } catch (error) {
        throw new WireFormatError(`{"/": "${special.slice(0, 100)}"} is not a valid CID link: ${(error as Error).message}`);
      }
    }
    if (special !== null && typeof special === "object") {
      const { bytes, bigint } = special as { bytes?: unknown; bigint?: unknown };
      if (typeof bytes === "number") {
        const buffer = message.buffers[bytes];
        if (buffer === undefined) throw new WireFormatError(`reference to missing byte buffer ${bytes}`);
        return buffer;
      }
      if (typeof bigint === "string" && /^-?\d+$/.test(bigint)) return BigInt(bigint);
    }
    throw new WireFormatError("a map whose only key is '/' must be a CID link");
  }) as unknown;
}
