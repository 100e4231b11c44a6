/**
 * FlushToRing `{ avatar, ring, mtx, mtx_sig, logNodes, mac }`: a light client (the avatar) hands this
 * replica node its new log nodes and a signed meta-transaction `Ring.updateLogHead(newHead)`.
 * This adapter parses the params, has the checks judge them (flush/checks.ts, fed by
 * flush/facts.ts), answers a refusal with its code and the steps so far, and hands an accepted
 * flush on (flush/acceptedFlushes.ts). The answer waits up to `relayWaitMs` for the relay; after
 * that it says `received`, the relay goes on, and `GetFlushStatus` tells the rest.
 */
import { raceSignal } from "race-signal";
import type { FlushToRingResult } from "../../api/results.js";
import { flushToRingParamsSchema } from "../../api/schemas.js";
import type { RpcCallContext } from "../../jsonrpc/dispatcher.js";
import { RpcApplicationError } from "../../jsonrpc/errorCodes.js";
import { parseParams } from "../../jsonrpc/params.js";
import { forwardRequestFromJson } from "../../relay/forwardRequest.js";
import type { FlushStatusStore } from "../flushStatusStore.js";
import { flushResultOf, type AcceptedFlushes } from "../flush/acceptedFlushes.js";
import type { FlushFacts } from "../flush/checks.js";
import type { FlushFactReader } from "../flush/facts.js";

export interface FlushToRingComponents {
  facts: Pick<FlushFactReader, "judge">;
  flushes: Pick<AcceptedFlushes, "accept">;
  statuses: Pick<FlushStatusStore, "release">;
  /** The forwarder this node relays through. */
  forwarder: string;
  /** How long the answer waits for the relay before returning with `relayed: pending`. */
  relayWaitMs?: number;
}

export class FlushToRingMethod {
  private readonly components: FlushToRingComponents;

  constructor(components: FlushToRingComponents) {
    this.components = components;
  }

  async handle(rawParams: unknown, context: RpcCallContext): Promise<FlushToRingResult> {
    const params = parseParams(flushToRingParamsSchema, rawParams);
    const { signal } = context;
    const logNodes = params.logNodes.map(hexToBytes);
    const input = { avatar: params.avatar, ring: params.ring, mtx: forwardRequestFromJson(params.mtx), mtxSig: params.mtx_sig, logNodes, mac: params.mac };
    const facts: FlushFacts = { now: Date.now(), forwarder: this.components.forwarder };
    try {
      const verdict = await this.components.facts.judge(input, facts, signal);
      if (verdict.outcome === "refused") {
        const { code, detail, id } = verdict.refusal;
        throw new RpcApplicationError(code, detail, id === undefined ? { steps: verdict.steps } : { id, steps: verdict.steps });
      }
      const { record, relayed } = await this.components.flushes.accept({ ...params, logNodes }, verdict.flush, verdict.steps, signal);
      return flushResultOf((await this.waitForRelay(relayed, signal)) ?? record);
    } finally {
      if (facts.claimed === true && facts.signature !== undefined) this.components.statuses.release(facts.signature.id);
    }
  }

  /** The relayed record, or null when `relayWaitMs` pass (or the client leaves) first; the relay goes on either way. */
  private async waitForRelay<T>(relayed: Promise<T>, signal: AbortSignal): Promise<T | null> {
    const wait = AbortSignal.any([signal, AbortSignal.timeout(this.components.relayWaitMs ?? 30_000)]);
    try {
      return await raceSignal(relayed, wait);
    } catch (error) {
      if (wait.aborted) return null;
      throw error;
    }
  }
}

/** 0x hex (checked by the params schema) to bytes, without ethers' per-character parsing. */
function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}
