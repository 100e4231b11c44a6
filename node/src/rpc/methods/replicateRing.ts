/**
 * ReplicateRing `{ ring, replica_ring, replica_key, mtx }`: a member of client ring `ring` asks this
 * node's replica ring to replicate it. `mtx` is its signed ERC-2771 request
 * `ReplicaRing.register(ring, replicaKeyCommitment(replica_key))` (the fee comes from the member's
 * pre-funded credit); this node relays it, keeps the replica key, writes the registration to its
 * own log and starts following the ring's on-chain heads (as every member of the replica ring does
 * once the ring is registered).
 *
 * The key is bound to the registration: the member signs its commitment, the chain keeps it, and
 * this node keeps a key only when it matches the commitment on chain. So a relayed request cannot
 * be paired with another key, and nobody replaces a registered ring's key (finding 9 of issue 12).
 *
 * Before it relays, the node runs the call (`eth_call`, relay/forwardedCall.ts): one that would
 * revert (not a member of the ring, no credit, registered already) is refused -32009 with the
 * contract's error and nothing is sent, so nobody makes this node pay for reverting transactions;
 * and each signer has a budget (`RateLimiter`, default a burst of 5, one more every 12 s): beyond
 * it, -32012 (finding 15 of issue 12).
 *
 * Refusals: -32009 not this node's replica ring, or a key that is not the committed one, -32002 bad
 * signature, -32005 replayed, -32006 not a `register(ring, commitment of replica_key)` call, -32010
 * relayed but failed on chain, -32008 chain unavailable. When the ring is already registered on
 * chain, the signed request still proves a client member hands over the key: it is kept without a
 * second registration (how further replica nodes get it), if it is the committed key.
 */
import { getBytes, isError } from "ethers";
import { RpcErrorCode } from "../../api/errorCodes.js";
import type { ReplicateRingResult } from "../../api/results.js";
import { replicateRingParamsSchema } from "../../api/schemas.js";
import type { RpcCallContext } from "../../jsonrpc/dispatcher.js";
import { RpcApplicationError } from "../../jsonrpc/errorCodes.js";
import { parseParams } from "../../jsonrpc/params.js";
import type { Forwarder } from "../../chain/index.js";
import { RateLimiter } from "../../jsonrpc/rateLimiter.js";
import { forwardRequestDigest, forwardRequestFromJson, tryRecoverForwardRequestSigner, type ForwardRequest } from "../../relay/forwardRequest.js";
import type { MetaTxRelayer } from "../../relay/metaTxRelayer.js";
import { replicaRingInterface, type ChainReads } from "../../chain/index.js";
import type { ReplicaKeyStore } from "../../replica/replicaKeyStore.js";
import { replicaKeyCommitment, ringKeyId } from "../../replica/ringKeys.js";
import { ZERO_BYTES32 } from "../../core/cid.js";
import { readChain } from "../chainRead.js";
import { ChainReadError } from "../errors.js";
import { APPLICATION_DOMSEP, type NodeLogWriter, type ReplicateRegisteredMessage } from "../nodeLog.js";
import { RelayLifecycle, type RelayResult } from "../relayLifecycle.js";

export const MAX_REGISTER_MTX_GAS = 1_000_000n;

export interface ReplicateRingComponents {
  chain: Pick<ChainReads, "replicaRingOf" | "isMember" | "replicaKeyCommitmentOf">;
  forwarder: Pick<Forwarder, "domain" | "nonce" | "findExecution">;
  replicaKeys: Pick<ReplicaKeyStore, "put">;
  log: NodeLogWriter;
  relayer: Pick<MetaTxRelayer, "relay">;
  /** This node's avatar: it must be a member of the replica ring's Ring. */
  self: string;
  /** The dry run of the forwarded call: null when it would succeed, else why it would revert. */
  simulate: (mtx: ForwardRequest, signal: AbortSignal) => Promise<string | null>;
  /** Per signer; default a burst of 5 requests, one more every 12 s, 10,000 signers tracked. */
  limiter?: Pick<RateLimiter, "take">;
  /** Called once the node holds the key: start replicating `ring`. */
  onRegistered?: (ring: string) => void;
}

export const DEFAULT_REPLICATE_LIMITS = { burst: 5, refillMs: 12_000, maxKeys: 10_000 } as const;

export class ReplicateRingMethod {
  private readonly deps: ReplicateRingComponents;
  /** Ids between the replay check and the answer: a concurrent duplicate is refused. */
  private readonly inProgress = new Set<string>();
  private readonly relays: RelayLifecycle<RelayResult>;
  private readonly limiter: Pick<RateLimiter, "take">;

  constructor(deps: ReplicateRingComponents) {
    this.deps = deps;
    this.limiter = deps.limiter ?? new RateLimiter(DEFAULT_REPLICATE_LIMITS);
    this.relays = new RelayLifecycle(deps, (_id, result) => Promise.resolve(result));
  }

  /** Resolves when every registration relayed so far has its result. */
  settled(): Promise<void> {
    return this.relays.settled();
  }

  async handle(rawParams: unknown, context: RpcCallContext): Promise<ReplicateRingResult> {
    const params = parseParams(replicateRingParamsSchema, rawParams);
    const { signal } = context;
    const ring = params.ring;
    const replicaRing = params.replica_ring;
    const replicaKey = getBytes(params.replica_key);
    const { signature, ...requestJson } = params.mtx;
    const mtx = forwardRequestFromJson(requestJson);

    const [ownRing, domain] = await chainRead(() =>
      Promise.all([
        // A contract that is not a ReplicaRing reverts (or answers nothing): null.
        this.deps.chain.replicaRingOf(replicaRing, { signal }).catch((error: unknown) => {
          if (isError(error, "CALL_EXCEPTION") || isError(error, "BAD_DATA")) return null;
          throw error;
        }),
        this.deps.forwarder.domain(signal),
      ]),
    );
    if (ownRing === null) throw new RpcApplicationError(RpcErrorCode.ReplicaRegistrationRefused, `${replicaRing} is not a ReplicaRing`);
    if (!(await chainRead(() => this.deps.chain.isMember(ownRing, this.deps.self, { signal })))) {
      throw new RpcApplicationError(RpcErrorCode.ReplicaRegistrationRefused, `this node is not a member of replica ring ${replicaRing}`);
    }
    if (tryRecoverForwardRequestSigner(domain, mtx, signature) !== mtx.from) throw new RpcApplicationError(RpcErrorCode.MtxSignatureMismatch, "mtx.signature does not recover to mtx.from");
    // Counted once the signature is right, so nobody spends another signer's budget.
    if (!this.limiter.take(mtx.from)) throw new RpcApplicationError(RpcErrorCode.Unavailable, `too many ReplicateRing requests from ${mtx.from}; retry later`);
    const commitment = replicaKeyCommitment(replicaKey);
    const expectedData = replicaRingInterface.encodeFunctionData("register", [ring, commitment]);
    if (mtx.to !== replicaRing || mtx.data.toLowerCase() !== expectedData.toLowerCase()) {
      throw new RpcApplicationError(RpcErrorCode.MtxNotRelayable, `mtx must call register(${ring}, ${commitment}) on ${replicaRing}: the commitment to replica_key`);
    }
    if (mtx.value !== 0n) throw new RpcApplicationError(RpcErrorCode.MtxNotRelayable, "mtx.value must be 0 (the fee comes from the deposited credit)");
    if (mtx.gas > MAX_REGISTER_MTX_GAS) throw new RpcApplicationError(RpcErrorCode.MtxNotRelayable, `mtx.gas exceeds ${MAX_REGISTER_MTX_GAS}`);
    if (mtx.deadline * 1000n <= BigInt(Date.now())) throw new RpcApplicationError(RpcErrorCode.MtxNotRelayable, "mtx deadline has passed");

    const id = forwardRequestDigest(domain, mtx);
    if (this.inProgress.has(id)) throw new RpcApplicationError(RpcErrorCode.MtxReplayed, "this mtx is being relayed");
    this.inProgress.add(id);
    try {
      const [chainNonce, registeredCommitment, registrantIsMember] = await chainRead(() =>
        Promise.all([this.deps.forwarder.nonce(mtx.from, signal), this.deps.chain.replicaKeyCommitmentOf(replicaRing, ring, { signal }), this.deps.chain.isMember(ring, mtx.from, { signal })]),
      );
      const registered = registeredCommitment !== ZERO_BYTES32;
      if (mtx.nonce < chainNonce) throw new RpcApplicationError(RpcErrorCode.MtxReplayed, `nonce ${mtx.nonce} was already used on the forwarder`);
      if (mtx.nonce !== chainNonce) throw new RpcApplicationError(RpcErrorCode.MtxNotRelayable, `nonce ${mtx.nonce} is not the next one (${chainNonce})`);
      if (registered) {
        // A fresh (current nonce, deadline ahead) request signed by a member hands the key over.
        if (!registrantIsMember) throw new RpcApplicationError(RpcErrorCode.ReplicaRegistrationRefused, `${mtx.from} is not a member of ${ring}`);
        // Only the key the registration committed to: a member cannot hand over (or swap in) another.
        if (registeredCommitment.toLowerCase() !== commitment.toLowerCase()) {
          throw new RpcApplicationError(RpcErrorCode.ReplicaRegistrationRefused, `replica_key is not the key ${ring} registered with (commitment ${registeredCommitment})`);
        }
        return await this.keep({ ring, replicaRing, replicaKey, registrant: mtx.from, id, tx: null, feeWei: null });
      }

      // Nothing is sent that would revert: the relayer would pay for it.
      const revert = await chainRead(() => this.deps.simulate(mtx, signal));
      if (revert !== null) throw new RpcApplicationError(RpcErrorCode.ReplicaRegistrationRefused, `register would revert on chain: ${revert}; nothing was sent`);
      const outcome = await this.relays.relay(id, mtx, signature);
      if (!outcome.success) throw new RpcApplicationError(RpcErrorCode.RelayFailed, outcome.reason ?? "failed", outcome.txHash === undefined ? undefined : { tx: outcome.txHash });
      return await this.keep({ ring, replicaRing, replicaKey, registrant: mtx.from, id, tx: outcome.txHash ?? null, feeWei: outcome.feeWei ?? null });
    } finally {
      this.inProgress.delete(id);
    }
  }

  private async keep(registration: { ring: string; replicaRing: string; replicaKey: Uint8Array; registrant: string; id: string; tx: string | null; feeWei: string | null }): Promise<ReplicateRingResult> {
    const stored: Parameters<ReplicaKeyStore["put"]>[0] = { ring: registration.ring, replicaRing: registration.replicaRing, replicaKey: registration.replicaKey, registeredAt: Date.now() };
    if (registration.tx !== null) stored.txHash = registration.tx;
    await this.deps.replicaKeys.put(stored);
    const replicaKeyId = ringKeyId(registration.replicaKey);
    const result: ReplicateRingResult = {
      ring: registration.ring,
      replicaRing: registration.replicaRing,
      registrant: registration.registrant,
      tx: registration.tx,
      feeWei: registration.feeWei,
      replicaKeyId,
    };
    if (registration.tx !== null) {
      const message: ReplicateRegisteredMessage = {
        application_domsep: APPLICATION_DOMSEP,
        type: "ReplicateRing",
        status: "relayed",
        msg_hash: registration.id,
        payload: { ring: registration.ring, replica_ring: registration.replicaRing, registrant: registration.registrant, tx: registration.tx, txfee: registration.feeWei ?? "0", replica_key_id: replicaKeyId },
      };
      result.logCid = (await this.deps.log.append(message)).cid.toString();
    }
    this.deps.onRegistered?.(registration.ring);
    return result;
  }
}

/** A chain read; its failure is answered -32008. */
async function chainRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await readChain(read);
  } catch (error) {
    if (error instanceof ChainReadError) throw new RpcApplicationError(RpcErrorCode.ChainUnavailable, error.message);
    throw error;
  }
}
