/**
 * Proving a member's fork on chain: the evidence (two signed nodes at one seq) goes to
 * Ring.proveFork, which ejects the member. The honest members take turns by their order in the
 * member list, 1.5 s apart, so one proof usually suffices and the others find it already done.
 */
import { getAddress } from "ethers";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import type { RingIdentity } from "../identity/identity.js";
import type { ForkEvidence } from "../log/forkEvidence.js";
import type { RingWriter } from "../chain/index.js";

/** How long each honest member waits for the ones before it in the member list. */
const TURN_MS = 1_500;

export interface ForkProverComponents {
  chain: Pick<RingChainView, "members" | "isMember" | "poll">;
  signer: Pick<RingIdentity, "address">;
}

export interface ForkProverOptions {
  writer: Pick<RingWriter, "proveFork">;
  /** A proof was sent (or found unnecessary): the membership may have changed. */
  kick: () => void;
  signal: AbortSignal;
  logger: Logger;
}

export class ForkProver {
  private readonly proving = new Set<string>();

  constructor(
    private readonly components: ForkProverComponents,
    private readonly options: ForkProverOptions,
  ) {}

  /** Proves a member's fork on chain (members take turns by address order so one usually suffices). */
  async prove(evidence: ForkEvidence): Promise<void> {
    const { chain, signer } = this.components;
    const { logger } = this.options;
    const key = `${evidence.author}/${evidence.seq}`;
    if (this.proving.has(key) || getAddress(evidence.author) === signer.address) return;
    this.proving.add(key);
    const honest = chain.members().filter((member) => getAddress(member) !== getAddress(evidence.author));
    const rank = Math.max(0, honest.indexOf(signer.address));
    await new Promise((resolve) => setTimeout(resolve, rank * TURN_MS));
    await chain.poll().catch(() => undefined);
    if (!chain.isMember(evidence.author) || this.options.signal.aborted) return;
    try {
      const sent = await this.options.writer.proveFork(evidence);
      logger.warn({ member: evidence.author, seq: evidence.seq, tx: sent.hash }, "proved a fork on chain: member ejected");
      await chain.poll().catch(() => undefined);
    } catch (error) {
      logger.info({ err: error, member: evidence.author }, "fork proof not sent (already proven?)");
      this.proving.delete(key);
    }
    this.options.kick();
  }
}
