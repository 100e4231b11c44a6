/**
 * FlushToRing `{ avatar, ring, mtx, mtx_sig, logNodes }`: a light client (the avatar) hands this
 * replica node its new log nodes and a signed meta-transaction `Ring.updateLogHead(newHead)`.
 *
 * Checks, in order, each refusing with its own code (see errorCodes.ts):
 *   1 replicaKey  this node holds the replica key of `ring`                      -32001
 *   2 signature   ecrecover(mtx, mtx_sig) = avatar = mtx.from                   -32002
 *     replay      the mtx was not accepted before and its nonce is unused        -32005
 *   3 membership  ring.isMember(avatar) on chain                                 -32003
 *   4 logNodes    deserialise, signed by avatar, connected to its on-chain head  -32004
 *     mtx         the mtx is exactly updateLogHead(head of logNodes) on `ring`   -32006
 * then: append `received` to the node's own log, relay the mtx through the forwarder (batched),
 * append `relayed` (tx hash, fee) or `failed`. The answer lists every step's status; the relay
 * goes on after the answer when it takes longer than `relayWaitMs`, and `GetFlushStatus` tells.
 */
import { hexlify } from "ethers";
import { bytes32ToCid, cidToBytes32, ZERO_BYTES32 } from "../../core/cid.js";
import type { Forwarder } from "../../chain/index.js";
import { forwardRequestDigestBytes, forwardRequestFromJson, tryRecoverDigestSigner, type ForwardRequest } from "../../relay/forwardRequest.js";
import type { MetaTxRelayer, RelayOutcome } from "../../relay/metaTxRelayer.js";
import { ChainTimeoutError, ringInterface, type ChainReads } from "../../chain/index.js";
import { LogReplicationIncompleteError, verifyLogSegment, type VerifiedLogSegment } from "../../replica/logSegment.js";
import type { ReplicaKeyStore } from "../../replica/replicaKeyStore.js";
import type { ReplicaStore } from "../../replica/replicaStore.js";
import { RpcApplicationError, RpcErrorCode, type RpcErrorCodeValue } from "../../jsonrpc/errorCodes.js";
import type { RpcCallContext } from "../../jsonrpc/dispatcher.js";
import type { FlushRecord, FlushStatusStore, FlushStep, StepName } from "../flushStatusStore.js";
import { APPLICATION_DOMSEP, type FlushOutcomeMessage, type FlushReceivedMessage, type NodeLogWriter } from "../nodeLog.js";
import { flushToRingParamsSchema, parseParams, type FlushToRingParams } from "../schemas.js";

/** Gas a relayed updateLogHead may ask for: generous for one SSTORE and an event, small enough not to be a drain. */
export const MAX_FLUSH_MTX_GAS = 500_000n;

export interface FlushToRingDependencies {
  chain: ChainReads;
  forwarder: Forwarder;
  replicaKeys: ReplicaKeyStore;
  replicaStore: ReplicaStore;
  statuses: FlushStatusStore;
  log: NodeLogWriter;
  relayer: MetaTxRelayer;
  /** How long the answer waits for the relay before returning with `relayed: pending`. */
  relayWaitMs?: number;
  logger?: { warn(details: object, message: string): void; error(details: object, message: string): void };
}

export interface FlushToRingResult {
  id: string;
  state: FlushRecord["state"];
  steps: FlushStep[];
  head: string;
  receivedCid?: string;
  outcomeCid?: string;
  tx?: string;
  feeWei?: string;
  batchSize?: number;
  reason?: string;
}

export function flushResultOf(record: FlushRecord): FlushToRingResult {
  const result: FlushToRingResult = { id: record.id, state: record.state, steps: record.steps, head: record.head };
  for (const key of ["receivedCid", "outcomeCid", "tx", "feeWei", "batchSize", "reason"] as const) {
    if (record[key] !== undefined) (result as unknown as Record<string, unknown>)[key] = record[key];
  }
  return result;
}

class StepTracker {
  readonly steps: FlushStep[] = [];

  ok(step: StepName, detail?: string): void {
    this.steps.push(detail === undefined ? { step, status: "ok" } : { step, status: "ok", detail });
  }

  fail(step: StepName, code: RpcErrorCodeValue, detail: string, id?: string): never {
    this.steps.push({ step, status: "failed", detail });
    throw new RpcApplicationError(code, detail, id === undefined ? { steps: this.steps } : { id, steps: this.steps });
  }
}

export class FlushToRingMethod {
  private readonly deps: FlushToRingDependencies;
  private readonly relaying = new Map<string, Promise<FlushRecord>>();
  private readonly trustedByRing = new Map<string, boolean>();

  constructor(deps: FlushToRingDependencies) {
    this.deps = deps;
  }

  async handle(rawParams: unknown, context: RpcCallContext): Promise<FlushToRingResult> {
    const params = parseParams(flushToRingParamsSchema, rawParams);
    const steps = new StepTracker();
    const { signal } = context;
    const avatar = params.avatar;
    const ring = params.ring;

    // 1. The replica key for this ring is held.
    if (!(await this.deps.replicaKeys.has(ring))) steps.fail("replicaKey", RpcErrorCode.ReplicaKeyNotHeld, `no replica key for ring ${ring}`);
    steps.ok("replicaKey");

    // 2. ecrecover(mtx, mtx_sig) = avatar.
    const mtx = forwardRequestFromJson(params.mtx);
    const domain = await this.chainRead(() => this.deps.forwarder.domain(signal), steps, "signature");
    const digest = forwardRequestDigestBytes(domain, mtx);
    const signer = tryRecoverDigestSigner(digest, params.mtx_sig);
    if (signer !== avatar) steps.fail("signature", RpcErrorCode.MtxSignatureMismatch, signer === null ? "mtx_sig is not a valid signature" : `mtx is signed by ${signer}`);
    if (mtx.from !== avatar) steps.fail("signature", RpcErrorCode.MtxSignatureMismatch, `mtx.from is ${mtx.from}`);
    steps.ok("signature");

    // Replay: the same mtx twice, or a nonce the forwarder already used.
    const id = hexlify(digest);
    if (!this.deps.statuses.claim(id)) steps.fail("replay", RpcErrorCode.MtxReplayed, "this mtx was already accepted", id);
    try {
      return await this.checkAndAccept(params, mtx, id, steps, signal);
    } finally {
      this.deps.statuses.release(id);
    }
  }

  private async checkAndAccept(params: FlushToRingParams, mtx: ForwardRequest, id: string, steps: StepTracker, signal: AbortSignal): Promise<FlushToRingResult> {
    const { avatar, ring } = params;
    // The chain reads of the next checks, at once; they are judged in order below.
    const [chainNonce, isMember, onChainHead, chainId, trusted] = await this.chainRead(
      () =>
        Promise.all([
          this.deps.forwarder.nonce(avatar, signal),
          this.deps.chain.isMember(ring, avatar, { signal }),
          this.deps.chain.logNodeHead(ring, avatar, { signal }),
          this.deps.chain.chainId({ signal }),
          this.trustsForwarder(ring, signal),
        ]),
      steps,
      "replay",
    );
    const expectedNonce = chainNonce + BigInt(this.deps.statuses.pendingCount(avatar));
    if (mtx.nonce < chainNonce) steps.fail("replay", RpcErrorCode.MtxReplayed, `nonce ${mtx.nonce} was already used on the forwarder (next is ${chainNonce})`, id);
    if (mtx.nonce !== expectedNonce) steps.fail("replay", RpcErrorCode.MtxNotRelayable, `nonce ${mtx.nonce} is not the avatar's next one (${expectedNonce})`, id);
    steps.ok("replay");

    // 3. ring.isMember(avatar).
    if (!isMember) steps.fail("membership", RpcErrorCode.NotAMember, `${avatar} is not a member of ${ring}`, id);
    steps.ok("membership");

    // 4. Log nodes deserialise, are signed by the avatar, connect to its on-chain head and to each other.
    const logNodeBytes = params.logNodes.map(hexToBytes);
    let segment: VerifiedLogSegment;
    try {
      segment = await verifyLogSegment({
        chainId,
        ring,
        author: avatar,
        onChainHead,
        serialized: logNodeBytes,
        lookup: (cid) => this.deps.replicaStore.lookup(cid),
      });
    } catch (error) {
      if (error instanceof LogReplicationIncompleteError) steps.fail("logNodes", RpcErrorCode.LogReplicationIncomplete, error.message, id);
      throw error;
    }
    const head = cidToBytes32(segment.head.cid);
    steps.ok("logNodes", `${segment.nodes.length} new node(s), head seq ${segment.head.node.seq}`);

    // The mtx is what FlushToRing relays: updateLogHead(head) on this ring, no value, bounded gas, not expired.
    const expectedData = ringInterface.encodeFunctionData("updateLogHead", [head]);
    if (mtx.to !== ring) steps.fail("mtx", RpcErrorCode.MtxNotRelayable, `mtx.to is ${mtx.to}, not the ring`, id);
    if (mtx.data.toLowerCase() !== expectedData.toLowerCase()) steps.fail("mtx", RpcErrorCode.MtxNotRelayable, `mtx.data is not updateLogHead(${head})`, id);
    if (mtx.value !== 0n) steps.fail("mtx", RpcErrorCode.MtxNotRelayable, "mtx.value must be 0", id);
    if (mtx.gas > MAX_FLUSH_MTX_GAS) steps.fail("mtx", RpcErrorCode.MtxNotRelayable, `mtx.gas exceeds ${MAX_FLUSH_MTX_GAS}`, id);
    if (mtx.deadline * 1000n <= BigInt(Date.now())) steps.fail("mtx", RpcErrorCode.MtxNotRelayable, "mtx deadline has passed", id);
    if (!trusted) steps.fail("mtx", RpcErrorCode.MtxNotRelayable, `ring ${ring} does not trust forwarder ${this.deps.forwarder.address}`, id);
    if (onChainHead !== ZERO_BYTES32 && bytes32ToCid(onChainHead)?.equals(segment.head.cid) === true) {
      steps.fail("mtx", RpcErrorCode.MtxNotRelayable, "the log nodes hold nothing after the on-chain head", id);
    }
    steps.ok("mtx");

    // Keep the verified nodes (ciphertext payloads) and write `received` to this node's own log.
    await this.deps.replicaStore.storeVerified(ring, avatar, segment.nodes);
    const received: FlushReceivedMessage = {
      application_domsep: APPLICATION_DOMSEP,
      type: "FlushToRing",
      status: "received",
      msg_hash: id,
      payload: { avatar, ring, mtx: { ...params.mtx }, mtx_sig: params.mtx_sig, logNodes: logNodeBytes },
    };
    let receivedCid: string;
    try {
      receivedCid = (await this.deps.log.append(received, { signal })).cid.toString();
    } catch (error) {
      steps.fail("received", RpcErrorCode.Unavailable, `could not write to this node's log: ${(error as Error).message}`, id);
    }
    steps.ok("received", receivedCid);

    const record: FlushRecord = {
      id,
      avatar,
      ring,
      state: "received",
      steps: [...steps.steps, { step: "relayed", status: "pending" }],
      mtx: params.mtx,
      mtxSig: params.mtx_sig,
      head,
      receivedCid,
      acceptedAt: Date.now(),
      updatedAt: Date.now(),
    };
    await this.deps.statuses.save(record);

    const relayed = this.startRelay(record);
    const waited = await raceWithTimeout(relayed, this.deps.relayWaitMs ?? 30_000, signal);
    return flushResultOf(waited ?? record);
  }

  /** The status of a flush accepted earlier. */
  status(id: string): FlushToRingResult {
    const record = this.deps.statuses.get(id);
    if (record === undefined) throw new RpcApplicationError(RpcErrorCode.UnknownFlush, `no FlushToRing with id ${id} was accepted here`);
    return flushResultOf(record);
  }

  /** After a restart: finish the flushes that were received but not relayed. */
  async resumeUnfinished(): Promise<number> {
    const unfinished = this.deps.statuses.unfinished();
    for (const record of unfinished) {
      const mtx = forwardRequestFromJson(record.mtx);
      const chainNonce = await this.deps.forwarder.nonce(mtx.from);
      if (chainNonce > mtx.nonce) {
        // Executed already (the node stopped before writing `relayed`), or by someone else.
        const execution = await this.deps.forwarder.findExecution(mtx.from, mtx.nonce);
        await this.recordOutcome(record, execution === null ? { success: false, reason: "nonce used by another transaction" } : { success: execution.success, txHash: execution.txHash, reason: execution.success ? undefined : "forwarded call reverted" });
      } else {
        void this.startRelay(record);
      }
    }
    return unfinished.length;
  }

  /** Resolves when every relay started so far has its outcome recorded. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.relaying.values()]);
  }

  private startRelay(record: FlushRecord): Promise<FlushRecord> {
    const existing = this.relaying.get(record.id);
    if (existing !== undefined) return existing;
    const mtx = forwardRequestFromJson(record.mtx);
    const work = this.deps.relayer
      .relay(mtx, record.mtxSig)
      .then(
        async (outcome) => this.recordOutcome(record, outcome.skipped ? await this.executedElsewhere(mtx, outcomeFields(outcome)) : outcomeFields(outcome)),
        (error: unknown) => this.recordOutcome(record, { success: false, reason: (error as Error).message }),
      )
      .finally(() => this.relaying.delete(record.id));
    this.relaying.set(record.id, work);
    return work;
  }

  /**
   * A request the forwarder skipped may have run in another transaction already (an earlier batch
   * of this node sent before a restart, or another relayer): that transaction is its outcome.
   */
  private async executedElsewhere(mtx: ForwardRequest, skipped: OutcomeFields): Promise<OutcomeFields> {
    try {
      const execution = await this.deps.forwarder.findExecution(mtx.from, mtx.nonce);
      if (execution === null) return skipped;
      return execution.success ? { success: true, txHash: execution.txHash } : { success: false, txHash: execution.txHash, reason: "forwarded call reverted" };
    } catch {
      return skipped;
    }
  }

  private async recordOutcome(record: FlushRecord, outcome: OutcomeFields): Promise<FlushRecord> {
    const message: FlushOutcomeMessage = {
      application_domsep: APPLICATION_DOMSEP,
      type: "FlushToRing",
      status: outcome.success ? "relayed" : "failed",
      msg_hash: record.id,
      payload: { tx: outcome.txHash ?? null, txfee: outcome.feeWei ?? null },
    };
    if (outcome.reason !== undefined) message.payload.reason = outcome.reason;
    let outcomeCid: string | undefined;
    try {
      outcomeCid = (await this.deps.log.append(message)).cid.toString();
    } catch (error) {
      this.deps.logger?.error({ err: error, id: record.id }, "could not write the relay outcome to the log");
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
    await this.deps.statuses.save(updated);
    return updated;
  }

  private async trustsForwarder(ring: string, signal: AbortSignal): Promise<boolean> {
    const known = this.trustedByRing.get(ring);
    if (known !== undefined) return known;
    const trusted = await this.deps.chain.isTrustedForwarder(ring, this.deps.forwarder.address, { signal });
    this.trustedByRing.set(ring, trusted);
    return trusted;
  }

  private async chainRead<T>(read: () => Promise<T>, steps: StepTracker, step: StepName): Promise<T> {
    try {
      return await read();
    } catch (error) {
      const detail = error instanceof ChainTimeoutError ? error.message : `chain call failed: ${(error as Error).message.slice(0, 200)}`;
      return steps.fail(step, RpcErrorCode.ChainUnavailable, detail);
    }
  }
}

interface OutcomeFields {
  success: boolean;
  txHash?: string | undefined;
  feeWei?: string | undefined;
  batchSize?: number | undefined;
  reason?: string | undefined;
}

function outcomeFields(outcome: RelayOutcome): OutcomeFields {
  return { success: outcome.success, txHash: outcome.txHash, feeWei: outcome.feeWei.toString(), batchSize: outcome.batchSize, reason: outcome.reason };
}


/** 0x hex (checked by the params schema) to bytes, without ethers' per-character parsing. */
function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}

/** `work`'s value, or null when `ms` pass (or the client leaves) first; `work` goes on either way. */
async function raceWithTimeout<T>(work: Promise<T>, ms: number, signal: AbortSignal): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    onAbort = () => resolve(null);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
  }
}
