/**
 * What happens to a flush once its checks accept it: its log nodes are kept (ciphertext payloads),
 * `received` goes to this node's own log and the status store, the mtx is relayed (relayLifecycle.ts,
 * batched with others), and `relayed` or `failed` follows in both. Statuses survive restarts; a
 * restarted node finishes the flushes it had received.
 */
import { RpcErrorCode } from "../../api/errorCodes.js";
import type { FlushStep, FlushToRingResult } from "../../api/results.js";
import { RpcApplicationError } from "../../jsonrpc/errorCodes.js";
import type { ForwardRequestJson } from "../../api/requests.js";
import { forwardRequestFromJson } from "../../relay/forwardRequest.js";
import type { ReplicaStore } from "../../replica/replicaStore.js";
import type { FlushRecord, FlushStatusStore } from "../flushStatusStore.js";
import { APPLICATION_DOMSEP, type FlushOutcomeMessage, type FlushReceivedMessage, type NodeLogWriter } from "../nodeLog.js";
import { RelayLifecycle, type RelayLifecycleComponents, type RelayResult } from "../relayLifecycle.js";
import type { AcceptedFlush } from "./checks.js";

export interface AcceptedFlushesComponents extends RelayLifecycleComponents {
  replicaStore: Pick<ReplicaStore, "storeVerified">;
  statuses: Pick<FlushStatusStore, "save" | "get" | "unfinished">;
  log: NodeLogWriter;
  logger?: { error(details: object, message: string): void };
}

/** The request as the avatar sent it, kept in `received` and in the status store. */
export interface FlushParams {
  avatar: string;
  ring: string;
  mtx: ForwardRequestJson;
  mtx_sig: string;
  logNodes: Uint8Array[];
}

export function flushResultOf(record: FlushRecord): FlushToRingResult {
  const result: FlushToRingResult = { id: record.id, state: record.state, steps: record.steps, head: record.head };
  for (const key of ["receivedCid", "outcomeCid", "tx", "feeWei", "batchSize", "reason"] as const) {
    if (record[key] !== undefined) (result as unknown as Record<string, unknown>)[key] = record[key];
  }
  return result;
}

export class AcceptedFlushes {
  private readonly components: AcceptedFlushesComponents;
  private readonly relays: RelayLifecycle<FlushRecord>;

  constructor(components: AcceptedFlushesComponents) {
    this.components = components;
    this.relays = new RelayLifecycle(components, (id, result) => this.recordOutcome(id, result));
  }

  /**
   * Keeps the flush and writes `received` (failing with -32012 and the steps when the log cannot
   * be written); resolves with its record once received, and `relayed` with the record once the
   * relay has its outcome.
   */
  async accept(params: FlushParams, flush: AcceptedFlush, steps: FlushStep[], signal: AbortSignal): Promise<{ record: FlushRecord; relayed: Promise<FlushRecord> }> {
    const { id, head, segment } = flush;
    await this.components.replicaStore.storeVerified(params.ring, params.avatar, segment.nodes);
    const received: FlushReceivedMessage = {
      application_domsep: APPLICATION_DOMSEP,
      type: "FlushToRing",
      status: "received",
      msg_hash: id,
      payload: { avatar: params.avatar, ring: params.ring, mtx: { ...params.mtx }, mtx_sig: params.mtx_sig, logNodes: params.logNodes },
    };
    let receivedCid: string;
    try {
      receivedCid = (await this.components.log.append(received, { signal })).cid.toString();
    } catch (error) {
      const detail = `could not write to this node's log: ${(error as Error).message}`;
      throw new RpcApplicationError(RpcErrorCode.Unavailable, detail, { id, steps: [...steps, { step: "received", status: "failed", detail }] });
    }
    const record: FlushRecord = {
      id,
      avatar: params.avatar,
      ring: params.ring,
      state: "received",
      steps: [...steps, { step: "received", status: "ok", detail: receivedCid }, { step: "relayed", status: "pending" }],
      mtx: params.mtx,
      mtxSig: params.mtx_sig,
      head,
      receivedCid,
      acceptedAt: Date.now(),
      updatedAt: Date.now(),
    };
    await this.components.statuses.save(record);
    return { record, relayed: this.relays.relay(id, forwardRequestFromJson(record.mtx), record.mtxSig) };
  }

  /** The status of a flush accepted earlier (-32007 when unknown). */
  status(id: string): FlushToRingResult {
    const record = this.components.statuses.get(id);
    if (record === undefined) throw new RpcApplicationError(RpcErrorCode.UnknownFlush, `no FlushToRing with id ${id} was accepted here`);
    return flushResultOf(record);
  }

  /** After a restart: finish the flushes that were received but not relayed; returns how many. */
  async resumeUnfinished(signal?: AbortSignal): Promise<number> {
    const unfinished = this.components.statuses.unfinished();
    for (const record of unfinished) await this.relays.resume(record.id, forwardRequestFromJson(record.mtx), record.mtxSig, signal);
    return unfinished.length;
  }

  /** Resolves when every relay started so far has its outcome recorded. */
  settled(): Promise<void> {
    return this.relays.settled();
  }

  private async recordOutcome(id: string, outcome: RelayResult): Promise<FlushRecord> {
    const record = this.components.statuses.get(id);
    if (record === undefined) throw new Error(`flush ${id} has no status to record its outcome in`);
    const message: FlushOutcomeMessage = {
      application_domsep: APPLICATION_DOMSEP,
      type: "FlushToRing",
      status: outcome.success ? "relayed" : "failed",
      msg_hash: id,
      payload: { tx: outcome.txHash ?? null, txfee: outcome.feeWei ?? null },
    };
    if (outcome.reason !== undefined) message.payload.reason = outcome.reason;
    let outcomeCid: string | undefined;
    try {
      outcomeCid = (await this.components.log.append(message)).cid.toString();
    } catch (error) {
      this.components.logger?.error({ err: error, id }, "could not write the relay outcome to the log");
    }
    const updated: FlushRecord = {
      ...record,
      state: outcome.success ? "relayed" : "failed",
      steps: [
        ...record.steps.filter((step) => step.step !== "relayed"),
        outcome.success ? { step: "relayed", status: "ok", detail: outcome.txHash } : { step: "relayed", status: "failed", detail: outcome.reason ?? "failed" },
      ],
    };
    if (outcomeCid !== undefined) updated.outcomeCid = outcomeCid;
    if (outcome.txHash !== undefined) updated.tx = outcome.txHash;
    if (outcome.feeWei !== undefined) updated.feeWei = outcome.feeWei;
    if (outcome.batchSize !== undefined) updated.batchSize = outcome.batchSize;
    if (outcome.reason !== undefined) updated.reason = outcome.reason;
    await this.components.statuses.save(updated);
    return updated;
  }
}
