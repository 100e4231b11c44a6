/**
 * The rounds' one writer to the Ring contract: `flush` and `proveFork` (a BlsRing's `flushAggregate`
 * and `registerBlsKey` too), sent from the member's own
 * account one transaction at a time, each step (estimate, broadcast, receipt) bounded by a timeout
 * and the caller's AbortSignal.
 */
import { Contract, type JsonRpcProvider, type Wallet } from "ethers";
import type { G1Words, G2Words } from "../core/bls.js";
import type { Outputs } from "../core/eip712.js";
import { flushArgs, orderBySigner, type FlushInput, type SignedDissent } from "../core/ringVotes.js";
import { blsRingInterface } from "./abi/blsRing.js";
import { refusalReason } from "./checkedSend.js";
import { CallRefusedError, ChainWriteTimeoutError, TransactionRevertedError } from "./errors.js";
import { bounded, CHAIN_WRITE_TIMEOUT_MS, waitForReceipt, type WaitOptions } from "./wait.js";

/** One of two conflicting signed log nodes (log/forkEvidence.ts `SignedNodeRef` is one). */
export interface SignedDigest {
  /** 0x-hex EIP-712 LogNode digest. */
  digest: string;
  /** 0x-hex 65-byte signature. */
  sig: string;
}

/** What `Ring.proveFork` needs: two nodes `author` signed with the same `seq` (log/forkEvidence.ts `ForkEvidence` is one). */
export interface ForkProof {
  author: string;
  seq: number;
  a: SignedDigest;
  b: SignedDigest;
}

/** `Ring.proveFork(member, seq, digestA, sigA, digestB, sigB)` arguments. */
export function proveForkArgs(proof: ForkProof): [string, bigint, string, string, string, string] {
  return [proof.author, BigInt(proof.seq), proof.a.digest, proof.a.sig, proof.b.digest, proof.b.sig];
}

/** A passing membership vote: what was voted and the members' compact signatures. */
export interface MembershipVoteInput {
  enter: boolean;
  member: string;
  /** The member before `member` in `members()` order (the sentinel 0x…01 for the first); exits only. */
  prevMember: string;
  membershipEpoch: bigint;
  deadline: bigint;
  signatures: ReadonlyArray<{ signer: string; r: string; vs: string }>;
}

/** What `BlsRing.flushAggregate` takes: the round, the signer bitmap, the non-signers' keys and the aggregate. */
export interface AggregateFlushInput {
  round: bigint;
  ringNodeHead: string;
  /** The root of the ring log node's member heads (core/headsMerkle.ts), signed with the round. */
  headsRoot: string;
  outputs: Outputs;
  signerBitmap: readonly bigint[];
  nonSignerKeys: readonly G1Words[];
  signature: G2Words;
  /** ECDSA-signed dissents of this round (recorded as Ring.flush records them). */
  dissents?: readonly SignedDissent[];
}

export interface SentTransaction {
  hash: string;
  gasUsed: bigint;
  blockNumber: number;
}

/** A write's options: the abort signal, and who hears the transaction's hash once it is broadcast (before it is mined). */
export interface SendOptions extends WaitOptions {
  onSent?: (hash: string) => void;
}

export class RingWriter {
  private readonly contract: Contract;
  private tail: Promise<unknown> = Promise.resolve();
  private feeCache: { at: number; fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } } | null = null;

  constructor(
    readonly ring: string,
    private readonly wallet: Wallet,
    readonly provider: JsonRpcProvider,
    private readonly timeoutMs = CHAIN_WRITE_TIMEOUT_MS,
  ) {
    // A BlsRing's interface is the Ring's and more: one writer for both kinds of ring.
    this.contract = new Contract(ring, blsRingInterface, wallet.connect(provider));
  }

  /** Sends `Ring.flush` with the votes (and dissents) ordered by signer; resolves once mined. */
  flush(input: FlushInput, options?: SendOptions): Promise<SentTransaction> {
    // No gas estimate on the hot path: a fixed bound far above a flush's cost (ecrecover, two
    // SSTOREs per signer, Scope + Gate per output). Only gas used is paid; a flush that loses the
    // race to another relayer reverts at the round check, cheaply.
    const signers = BigInt(input.votes.length + (input.dissents?.length ?? 0));
    const gasLimit = 300_000n + 60_000n * signers + 150_000n * BigInt(input.outputs.cids.length);
    return this.send("flush", [...flushArgs(input)], gasLimit, options);
  }

  /** Sends `BlsRing.flushAggregate`; resolves once mined. Like `flush`, a fixed gas bound instead of an estimate. */
  flushAggregate(input: AggregateFlushInput, options?: WaitOptions): Promise<SentTransaction> {
    // Measured ~306k flat (one pairing, hash-to-curve); each non-signer adds ~7k (its key and a G1ADD).
    const gasLimit = 500_000n + 12_000n * BigInt(input.nonSignerKeys.length) + 150_000n * BigInt(input.outputs.cids.length);
    const outputs = { gate: input.outputs.gate, pins: [...input.outputs.pins], cids: [...input.outputs.cids] };
    const aggregate = { signerBitmap: [...input.signerBitmap], nonSignerKeys: [...input.nonSignerKeys], signature: [...input.signature] };
    const dissents = orderBySigner(input.dissents ?? []).map(({ ringNodeHead, outputsHash, logHead, r, vs }) => ({ ringNodeHead, outputsHash, logHead, r, vs }));
    return this.send("flushAggregate", [input.round, input.ringNodeHead, input.headsRoot, outputs, aggregate, dissents], gasLimit + 60_000n * BigInt(dissents.length), options);
  }

  /**
   * Registers this member's BLS key with its proof of possession (`BlsRing.registerBlsKey`), unless
   * the member has a key already (then null: nothing sent). Simulated first: a refusal (not a
   * member, a key taken, a proof that does not verify) names its custom error and sends nothing.
   */
  async registerBlsKey(key: G1Words, proofOfPossession: G2Words, options?: WaitOptions): Promise<SentTransaction | null> {
    const from = this.wallet.address;
    const [registered] = await this.bounded(this.contract.getFunction("blsKeyOf").staticCall(from) as Promise<[boolean]>, "BlsRing.blsKeyOf", options);
    if (registered) return null;
    const args = [key, [...proofOfPossession]];
    try {
      await this.bounded(this.contract.getFunction("registerBlsKey").staticCall(...args, { from }) as Promise<unknown>, "BlsRing.registerBlsKey (simulation)", options);
    } catch (error) {
      const reason = refusalReason(error, this.contract.interface);
      if (reason === null) throw error;
      throw new CallRefusedError(`BlsRing.registerBlsKey would revert: ${reason}`, reason);
    }
    return this.send("registerBlsKey", args, undefined, options);
  }

  /** Sends `Ring.proveFork` for the evidence; resolves once mined. */
  proveFork(evidence: ForkProof, options?: WaitOptions): Promise<SentTransaction> {
    return this.send("proveFork", proveForkArgs(evidence), undefined, options);
  }

  /**
   * Sends `Ring.enterByVote` / `Ring.exitByVote` with the members' signatures (ordered by signer as
   * the contract requires). The gas estimate simulates it first: a vote that would revert (a stale
   * epoch, too few signers) fails here, unsent. `prevMember` is the member before `member` in the
   * list (exits only).
   */
  membershipVote(vote: MembershipVoteInput, options?: WaitOptions): Promise<SentTransaction> {
    const signatures = orderBySigner(vote.signatures).map(({ r, vs }) => ({ r, vs }));
    if (vote.enter) return this.send("enterByVote", [vote.member, vote.membershipEpoch, vote.deadline, signatures], undefined, options);
    return this.send("exitByVote", [vote.prevMember, vote.member, vote.membershipEpoch, vote.deadline, signatures], undefined, options);
  }

  /** The ring head recorded for `round` (zero when not kept or not flushed). */
  async ringLog(round: bigint | number, options?: WaitOptions): Promise<string> {
    return this.bounded(this.contract.getFunction("ringLog").staticCall(round) as Promise<string>, "Ring.ringLog", options);
  }

  /**
   * Sends `method(args)`; without `gasLimit` the gas is estimated (which also simulates: a call that
   * would revert fails here, unsent). Broadcasts are one at a time (each takes the next pending
   * nonce), receipts are waited for in parallel: a second write (the next round's flush) can be
   * sent while the first is pending, and lands after it (consecutive nonces of one account).
   */
  private async send(method: string, args: unknown[], gasLimit?: bigint, options?: SendOptions): Promise<SentTransaction> {
    const broadcast = async (): Promise<string> => {
      const data = this.contract.interface.encodeFunctionData(method, args);
      const from = this.wallet.address;
      // Nonce, fees (and the estimate) in parallel: one round trip instead of ethers' several in a row.
      const estimate = gasLimit === undefined ? this.provider.estimateGas({ from, to: this.ring, data }).then((gas) => (gas * 12n) / 10n) : Promise.resolve(gasLimit);
      const [gas, nonce, fees, network] = await this.bounded(
        Promise.all([estimate, this.provider.getTransactionCount(from, "pending"), this.fees(), this.provider.getNetwork()]),
        `Ring.${method} (estimate)`,
        options,
      );
      const signed = await this.wallet.signTransaction({
        type: 2,
        chainId: network.chainId,
        to: this.ring,
        data,
        nonce,
        gasLimit: gas,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      return (await this.bounded(this.provider.broadcastTransaction(signed), `Ring.${method}`, options)).hash;
    };
    const sent = this.tail.then(broadcast, broadcast);
    this.tail = sent.catch(() => undefined);
    const hash = await sent;
    options?.onSent?.(hash);
    const receipt = await this.bounded(waitForReceipt(this.provider, hash, this.timeoutMs, options?.signal), `Ring.${method} receipt`, options);
    if (receipt.status !== 1) throw new TransactionRevertedError(`Ring.${method} reverted in ${hash}`);
    return { hash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber };
  }

  /** EIP-1559 fees, refreshed at most every 5 s (twice the base fee plus the tip, as ethers does). */
  private async fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    if (this.feeCache !== null && Date.now() - this.feeCache.at < 5_000) return this.feeCache.fees;
    const data = await this.provider.getFeeData();
    const fees = { maxFeePerGas: data.maxFeePerGas ?? data.gasPrice ?? 1_000_000_000n, maxPriorityFeePerGas: data.maxPriorityFeePerGas ?? 0n };
    this.feeCache = { at: Date.now(), fees };
    return fees;
  }

  private bounded<T>(work: Promise<T>, what: string, options?: WaitOptions): Promise<T> {
    return bounded(work, { milliseconds: this.timeoutMs, what, signal: options?.signal, error: (message) => new ChainWriteTimeoutError(message) });
  }
}
