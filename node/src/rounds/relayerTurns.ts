/**
 * Whose turn it is to relay a round. The relayer of a round is members[round mod n], the next one
 * after every relayer timeout in which the round had work ready and no flush landed. The timeout
 * counts from when the round's work was ready, again from when its relayer said it sent the flush
 * (once a round: a relayer cannot hold the hand-over off by saying so again and again), and spans
 * the setting plus one block gap of the chain (a sent flush waits up to a block to be mined).
 */
export interface RelayerTurnsOptions {
  members: () => readonly string[];
  relayerTimeoutMs: number;
  /** The chain's recent block gap in ms (0 on an automining chain). */
  blockGapMs: () => number;
  now?: () => number;
}

/** The longest block gap the relayer timeout spans. */
const MAX_GAP_MS = 60_000;

export class RelayerTurns {
  private readySince: { round: number; at: number; sentNotice?: number } | null = null;
  private lastProposed = "";

  constructor(private readonly options: RelayerTurnsOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The relayer of `round` after `attempts` relayer timeouts. */
  relayerOf(round: number, attempts: number): string {
    const members = this.options.members();
    return members[(round + attempts) % members.length] as string;
  }

  /** A round was flushed: the timeouts of the next one count from when it has work. */
  flushed(): void {
    this.readySince = null;
  }

  /** Nothing waits for `round`: no timeout runs. */
  idle(): void {
    this.readySince = null;
  }

  /** `round`'s relayer says it sent the flush: the timeout counts from now (once a round). */
  sent(round: number): void {
    if (this.readySince?.round !== round || this.readySince.sentNotice === round) return;
    this.readySince = { round, at: this.now(), sentNotice: round };
  }

  timeoutMs(): number {
    return this.options.relayerTimeoutMs + Math.min(MAX_GAP_MS, this.options.blockGapMs());
  }

  /** How many relayer timeouts `round` has had since its work was ready (its clock starts now if it was not running). */
  attempts(round: number): number {
    if (this.readySince?.round !== round) this.readySince = { round, at: this.now() };
    return Math.floor((this.now() - this.readySince.at) / this.timeoutMs());
  }

  /** Whether this member proposed `round` at this attempt already; marks it proposed. */
  proposedAt(round: number, attempts: number): boolean {
    const key = `${round}/${attempts}`;
    if (this.lastProposed === key) return true;
    this.lastProposed = key;
    return false;
  }

  /** Whether this member proposed `round` at this attempt already. */
  hasProposed(round: number, attempts: number): boolean {
    return this.lastProposed === `${round}/${attempts}`;
  }
}
