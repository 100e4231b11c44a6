/**
 * How a ring's round votes are signed, checked and flushed, by the ring's scheme (chain.scheme()):
 * every vote is the member's ECDSA Vote (voteCollection.ts checks it), and a BLS ring's vote also
 * carries the member's BLS signature over the round's AggregateVote (blsVotes.ts). The relayer and
 * the voter call these three and know nothing else of the scheme.
 */
import type { SentTransaction } from "../chain/ringWriter.js";
import type { RingWriter } from "../chain/index.js";
import type { Wallet } from "ethers";
import { signVote, voteMessage, type SignedDissent, type SignedVote } from "../core/ringVotes.js";
import type { AskedVote } from "./voteCollection.js";

export interface VoteScheme {
  readonly name: "ecdsa" | "bls";
  /** What this member's vote on `asked` carries beside its ECDSA signature (a BLS ring: its BLS signature). */
  extra(asked: AskedVote): Uint8Array | undefined;
  /** Whether `member`'s vote (its ECDSA part already checked) is also valid for the scheme; untrusted input. */
  accept(asked: AskedVote, member: string, vote: SignedVote, signal: AbortSignal): Promise<boolean>;
  /**
   * Sends the round's flush with the quorum's votes (and the dissents, where the scheme records
   * them); `onSent` hears the transaction's hash once broadcast, where the scheme tells (ECDSA).
   */
  flush(asked: AskedVote, votes: readonly SignedVote[], dissents: readonly SignedDissent[], signal: AbortSignal, onSent?: (hash: string) => void): Promise<SentTransaction>;
}

/** An ECDSA ring: `Ring.flush` with every vote and dissent. */
export function ecdsaVotes(writer: Pick<RingWriter, "flush">): VoteScheme {
  return {
    name: "ecdsa",
    extra: () => undefined,
    accept: () => Promise.resolve(true),
    flush: (asked, votes, dissents, signal, onSent) => writer.flush({ round: asked.round, ringNodeHead: asked.ringNodeHead, outputs: asked.outputs, votes, dissents }, { signal, ...(onSent === undefined ? {} : { onSent }) }),
  };
}

/** This member's vote on `asked` with its own `logHead`: the ECDSA Vote and what the scheme adds (a BLS signature). */
export async function signRoundVote(wallet: Wallet, scheme: Pick<VoteScheme, "extra">, asked: AskedVote, logHead: string): Promise<SignedVote> {
  const vote = await signVote(wallet, asked.domain, voteMessage(asked.round, asked.membershipEpoch, asked.ringNodeHead, asked.outputs, logHead));
  const bls = scheme.extra(asked);
  return bls === undefined ? vote : { ...vote, bls };
}
