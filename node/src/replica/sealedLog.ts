/**
 * How rounds and messages meet the ring's read keys without knowing them: a `PayloadReader` opens
 * a log-node payload as it was written (the one decode point for what members replicate), and
 * `sealingLog` wraps an own log so every append is sealed first (readKeys.ts decides how: a
 * read-key envelope, or the payload itself in a `public` ring).
 */
import type { OwnLog } from "../log/ownLog.js";
import { decryptPayload, isEncryptedPayload } from "./payloadCipher.js";

/** A payload opened: its plaintext, or why not (`later`: a key this node may still receive). */
export type OpenedPayload = { readable: true; payload: unknown } | { readable: false; later: boolean };

export interface PayloadReader {
  open(author: string, payload: unknown): OpenedPayload;
}

export interface PayloadSealer {
  /** What the log node carries for `payload`. */
  seal(payload: unknown): Promise<unknown>;
}

/** Reads every payload as it is (no keys: plaintext logs, tests of other parts). */
export const plaintextReader: PayloadReader = { open: (_author, payload) => ({ readable: true, payload }) };

type SealableLog = Pick<OwnLog, "append" | "head" | "onAppended">;

/** The own log with every append sealed by `sealer` (the returned node carries what was written). */
export function sealingLog(ownLog: SealableLog, sealer: PayloadSealer): SealableLog {
  return {
    head: () => ownLog.head(),
    onAppended: (listener) => ownLog.onAppended(listener),
    append: async (payload, options) => ownLog.append(await sealer.seal(payload), options),
  };
}

/** A reader with one read key and no epochs (light-client rings, tests): envelopes it cannot open are never readable. */
export function keyReader(readKey: Uint8Array, ring: string): PayloadReader {
  return keysReader([readKey], ring);
}

/** A reader with the given read keys (e.g. every epoch's, readKeyFile.ts): each envelope is tried with each; what none opens is never readable. */
export function keysReader(readKeys: readonly Uint8Array[], ring: string): PayloadReader {
  return {
    open: (author, payload) => {
      if (!isEncryptedPayload(payload)) return { readable: true, payload };
      for (const readKey of readKeys) {
        try {
          return { readable: true, payload: decryptPayload(readKey, payload, { ring, author }) };
        } catch {
          // another epoch's key
        }
      }
      return { readable: false, later: false };
    },
  };
}
