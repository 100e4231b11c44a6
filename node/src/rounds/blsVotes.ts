/**
 * A BLS ring's votes (BlsRing, contracts/interfaces/IBlsRing.sol): every member signs the same
 * AggregateVote of the round (round, membership epoch, ring head, outputs hash, in the ring's
 * EIP-712 domain) with the BLS key it registered. The relayer checks each signature on receipt
 * against the member's registered key (a signature that does not decode, is not in the subgroup,
 * or does not verify drops the vote), aggregates the quorum's, checks the aggregate locally, and
 * sends `flushAggregate` with the signer bitmap and the non-signers' keys.
 *
 * The members sign the ring log node's heads root with it (core/headsMerkle.ts), which the ring
 * stores instead of every head. Dissents (ECDSA-signed, as in an ECDSA ring) go with the flush and
 * are recorded on chain as `Ring.flush` records them.
 */
import type { Logger } from "pino";
import type { BlsKeySet } from "../chain/blsKeys.js";
import type { RingWriter } from "../chain/index.js";
import {
  aggregateSignatures,
  g2Words,
  hashDigest,
  nonSignerKeys,
  signatureFromBytes,
  signDigest,
  signerBitmap,
  verifyAggregate,
  verifySignature,
  type BlsSignature,
} from "../core/bls.js";
import { aggregateVoteDigest, outputsHash } from "../core/eip712.js";
import type { SignedVote } from "../core/ringVotes.js";
import type { AggregateFlushInput } from "../chain/ringWriter.js";
import { AggregateCheckError } from "./errors.js";
import type { AskedVote } from "./voteCollection.js";
import type { VoteScheme } from "./voteScheme.js";

export { AggregateCheckError } from "./errors.js";

export interface BlsVotesComponents {
  /** The ring's registered keys (chain/blsKeys.ts BlsKeyBook). */
  keys: { keys(options?: { signal?: AbortSignal }): Promise<BlsKeySet> };
  writer: Pick<RingWriter, "flushAggregate">;
  /** This member's BLS secret key. */
  secretKey: Uint8Array;
  logger: Logger;
}

/** The digest members sign for `asked`: the contract's `aggregateVoteDigest`. */
export function askedDigest(asked: AskedVote): string {
  return aggregateVoteDigest(asked.domain, { round: asked.round, membershipEpoch: asked.membershipEpoch, ringNodeHead: asked.ringNodeHead, headsRoot: asked.headsRoot, outputsHash: outputsHash(asked.outputs) });
}

/** `bytes`, if it is `member`'s valid BLS signature over `hashed` under its registered key; else null. Never throws. */
export function checkedBlsSignature(keys: BlsKeySet, member: string, hashed: BlsSignature, bytes: unknown): BlsSignature | null {
  const registered = keys.byMember.get(member);
  if (registered === undefined || !(bytes instanceof Uint8Array)) return null;
  try {
    const signature = signatureFromBytes(bytes);
    return verifySignature(signature, hashed, registered.key) ? signature : null;
  } catch {
    return null;
  }
}

/**
 * The `flushAggregate` arguments from the votes (each with its BLS signature, checked on receipt):
 * the aggregate of the signers' signatures, checked locally against the sum of their keys, the
 * bitmap of their key indices and the other keys in index order. Votes of members without a key
 * are left out. Throws AggregateCheckError when the aggregate does not verify (keys moved since).
 */
export function aggregateFlush(asked: AskedVote, keys: BlsKeySet, votes: readonly SignedVote[]): AggregateFlushInput & { signers: number } {
  const digest = askedDigest(asked);
  const signed = votes.flatMap((vote) => {
    const key = keys.byMember.get(vote.signer);
    return key === undefined || vote.bls === undefined ? [] : [{ key, signature: signatureFromBytes(vote.bls) }];
  });
  if (signed.length === 0) throw new AggregateCheckError("no vote carries a BLS signature of a registered key");
  const signature = aggregateSignatures(signed.map((s) => s.signature));
  if (!verifyAggregate(signature, digest, signed.map((s) => s.key.key))) throw new AggregateCheckError(`the aggregate of ${signed.length} signatures does not verify for their registered keys`);
  const indices = signed.map((s) => s.key.index);
  const all = keys.byIndex.map((entry) => entry.key);
  return {
    round: asked.round,
    ringNodeHead: asked.ringNodeHead,
    headsRoot: asked.headsRoot,
    outputs: asked.outputs,
    signerBitmap: signerBitmap(indices, all.length),
    nonSignerKeys: nonSignerKeys(all, indices),
    signature: g2Words(signature),
    signers: signed.length,
  };
}

/** A BLS ring's scheme: this member signs with `secretKey`; the relayer checks, aggregates and flushes. */
export function blsVotes(components: BlsVotesComponents): VoteScheme {
  const { keys, writer, secretKey, logger } = components;
  /** The hashed message of the last digests (hash-to-curve is a large part of a check): a round has one or two. */
  const hashes = new Map<string, BlsSignature>();
  const hashed = (digest: string): BlsSignature => {
    let point = hashes.get(digest);
    if (point === undefined) {
      point = hashDigest(digest);
      hashes.set(digest, point);
      if (hashes.size > 4) hashes.delete(hashes.keys().next().value as string);
    }
    return point;
  };
  return {
    name: "bls",
    extra: (asked) => signDigest(secretKey, askedDigest(asked)).toBytes(true),
    async accept(asked, member, vote, signal) {
      const valid = checkedBlsSignature(await keys.keys({ signal }), member, hashed(askedDigest(asked)), vote.bls) !== null;
      if (!valid) logger.info({ member, round: asked.round }, "vote without a valid BLS signature under the member's registered key: not counted");
      return valid;
    },
    async flush(asked, votes, dissents, signal) {
      const input = { ...aggregateFlush(asked, await keys.keys({ signal }), votes), dissents };
      logger.debug({ round: asked.round, signers: input.signers, nonSigners: input.nonSignerKeys.length }, "aggregate checked locally");
      return writer.flushAggregate(input, { signal });
    },
  };
}
