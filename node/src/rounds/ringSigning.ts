/**
 * The ring's signing scheme as the round engine wires it (chain.scheme(), read at connect): an
 * ECDSA ring's votes go to `Ring.flush`; a BLS ring's members also sign with the BLS key derived
 * from their avatar key (identity/blsKey.ts) and the relayer flushes one aggregate (blsVotes.ts).
 * A member of a BLS ring registers its key with its proof of possession when it starts (and again
 * after it re-enters the ring, which removed the key), unless it is registered already; failures
 * are retried a bounded number of times, every step through the rounds' one writer.
 */
import type { Logger } from "pino";
import type { RingChainView, RingEventRecord } from "../chain/ringChainView.js";
import { CallRefusedError, type RingWriter } from "../chain/index.js";
import { g1Words, g2Words, signProofOfPossession } from "../core/bls.js";
import type { RingIdentity } from "../identity/identity.js";
import { blsVotes } from "./blsVotes.js";
import { ecdsaVotes, type VoteScheme } from "./voteScheme.js";

export interface RingSigningComponents {
  chain: Pick<RingChainView, "isMember" | "scheme" | "blsKeys" | "onEvent">;
  signer: Pick<RingIdentity, "address" | "blsKeys">;
  writer: Pick<RingWriter, "flush" | "flushAggregate" | "registerBlsKey">;
  logger: Logger;
  signal: AbortSignal;
  /** Wait between registration attempts (default 2 s). */
  retryMs?: number;
}

/** Attempts to register before giving up until the next start or re-entry. */
const MAX_ATTEMPTS = 30;
const RETRY_MS = 2_000;

/** The vote scheme of the ring, and (a BLS ring) the registration of this member's key. */
export function ringSigning(components: RingSigningComponents): { scheme: VoteScheme; registration: BlsKeyRegistration | null } {
  const book = components.chain.blsKeys();
  if (components.chain.scheme() !== "bls" || book === null) return { scheme: ecdsaVotes(components.writer), registration: null };
  const scheme = blsVotes({ keys: book, writer: components.writer, secretKey: components.signer.blsKeys.secretKey, logger: components.logger });
  return { scheme, registration: new BlsKeyRegistration(components) };
}

export class BlsKeyRegistration {
  private running: Promise<void> | null = null;

  constructor(private readonly components: RingSigningComponents) {}

  /** Registers now (if needed) and again whenever this member's key is removed or it re-enters; returns the unsubscribe. */
  start(): () => void {
    void this.ensure();
    return this.components.chain.onEvent((event: RingEventRecord) => {
      const self = this.components.signer.address;
      if ((event.type === "MemberEntered" || event.type === "BlsKeyRemoved") && event.member === self) void this.ensure();
    });
  }

  /** Resolves once this member's key is registered, or it is not a member, or the attempts ran out (one run at a time). */
  ensure(): Promise<void> {
    this.running ??= this.register().finally(() => (this.running = null));
    return this.running;
  }

  private async register(): Promise<void> {
    const { chain, signer, writer, logger, signal } = this.components;
    const book = chain.blsKeys();
    const keys = signer.blsKeys;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && !signal.aborted; attempt++) {
      if (!chain.isMember(signer.address) || book === null) return;
      try {
        const mine = (await book.keys({ signal })).byMember.get(signer.address);
        if (mine !== undefined) {
          if (mine.key.equals(keys.publicKey)) logger.info({ index: mine.index }, "BLS key registered");
          else logger.error({ index: mine.index }, "another BLS key is registered for this member: its votes will not count");
          return;
        }
        const sent = await writer.registerBlsKey(g1Words(keys.publicKey), g2Words(signProofOfPossession(keys, signer.address)), { signal });
        logger.info({ tx: sent?.hash, gas: sent?.gasUsed.toString() }, "registered the BLS key with its proof of possession");
        book.invalidate();
      } catch (error) {
        if (error instanceof CallRefusedError && error.reason.startsWith("NotABlsRegistrant")) return;
        logger.warn({ err: error, attempt }, "BLS key registration failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, this.components.retryMs ?? RETRY_MS));
      }
    }
  }
}
