/**
 * The relay of a signed meta-transaction, as FlushToRing and ReplicateRing both run it: handed to
 * the batching relayer once per id (relaying the same id again joins the first), its result taken
 * from the forwarder's events, then recorded by the method (`record`). A request the forwarder
 * skipped may have run in another transaction already (an earlier batch of this node sent before a
 * restart, or another relayer): that transaction is its result. Relaying never rejects: a failure
 * is a result with `success: false` and a reason.
 */
import type { Forwarder } from "../chain/index.js";
import type { ForwardRequest } from "../relay/forwardRequest.js";
import type { MetaTxRelayer, RelayOutcome } from "../relay/metaTxRelayer.js";

export interface RelayResult {
  success: boolean;
  txHash?: string | undefined;
  /** This request's share of the transaction fee, in wei (unknown when another transaction ran it). */
  feeWei?: string | undefined;
  batchSize?: number | undefined;
  reason?: string | undefined;
}

export interface RelayLifecycleComponents {
  relayer: Pick<MetaTxRelayer, "relay">;
  forwarder: Pick<Forwarder, "nonce" | "findExecution">;
}

export class RelayLifecycle<T> {
  private readonly components: RelayLifecycleComponents;
  private readonly record: (id: string, result: RelayResult) => Promise<T>;
  private readonly inFlight = new Map<string, Promise<T>>();

  /** `record` keeps each result (e.g. in the node's log and the status store); its value is what `relay` resolves with. */
  constructor(components: RelayLifecycleComponents, record: (id: string, result: RelayResult) => Promise<T>) {
    this.components = components;
    this.record = record;
  }

  /** Relays `mtx` (once per id) and records its result. */
  relay(id: string, mtx: ForwardRequest, signature: string): Promise<T> {
    const existing = this.inFlight.get(id);
    if (existing !== undefined) return existing;
    const work = this.components.relayer
      .relay(mtx, signature)
      .then(
        async (outcome) => (outcome.skipped ? this.executedElsewhere(mtx, resultOf(outcome)) : resultOf(outcome)),
        (error: unknown): RelayResult => ({ success: false, reason: (error as Error).message }),
      )
      .then((result) => this.record(id, result))
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, work);
    return work;
  }

  /**
   * After a restart, for a request accepted before it: when its nonce is used on the forwarder
   * already (this node sent it before stopping, or someone else did), records that transaction's
   * result; otherwise relays it (not awaited: `settled()` waits for it).
   */
  async resume(id: string, mtx: ForwardRequest, signature: string, signal?: AbortSignal): Promise<void> {
    const chainNonce = await this.components.forwarder.nonce(mtx.from, signal);
    if (chainNonce <= mtx.nonce) {
      void this.relay(id, mtx, signature);
      return;
    }
    const execution = await this.components.forwarder.findExecution(mtx.from, mtx.nonce);
    await this.record(id, execution === null ? { success: false, reason: "nonce used by another transaction" } : { success: execution.success, txHash: execution.txHash, reason: execution.success ? undefined : "forwarded call reverted" });
  }

  /** Resolves when every relay started so far has its result recorded. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async executedElsewhere(mtx: ForwardRequest, skipped: RelayResult): Promise<RelayResult> {
    try {
      const execution = await this.components.forwarder.findExecution(mtx.from, mtx.nonce);
      if (execution === null) return skipped;
      return execution.success ? { success: true, txHash: execution.txHash } : { success: false, txHash: execution.txHash, reason: "forwarded call reverted" };
    } catch {
      return skipped;
    }
  }
}

function resultOf(outcome: RelayOutcome): RelayResult {
  return { success: outcome.success, txHash: outcome.txHash, feeWei: outcome.feeWei.toString(), batchSize: outcome.batchSize, reason: outcome.reason };
}
