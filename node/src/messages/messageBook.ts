/**
 * The ring's messages as this member holds them: every member's log read for message entries (in
 * seq order, once each, as nodes are kept) and every flushed round's cut, fed to the agreed order
 * (order.ts). It also tells the rounds whether messages wait for a round (`waiting`) and hears from
 * them which cut each flushed round covered (`flushed`).
 */
import type { LogStore } from "../log/store.js";
import { plaintextReader, type PayloadReader } from "../replica/sealedLog.js";
import { asMessage } from "./entry.js";
import { MessageOrder, type OrderedMessage } from "./order.js";

export interface MessageBookComponents {
  logs: Pick<LogStore, "authors" | "length" | "nodeAt" | "onKept"> & Partial<Pick<LogStore, "onFork" | "forks">>;
  /** Opens each node's payload (the ring's read keys; plaintext when absent). */
  reader?: PayloadReader;
}

/** A head of a flushed round's cut (rounds/entries.ts `CutHead` has this shape); with its CID the order checks the branch. */
export interface CutSeq {
  author: string;
  seq: number;
  cid?: { toString(): string };
}

export class MessageBook {
  readonly order = new MessageOrder();
  /** author -> nodes read so far. */
  private readonly scanned = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private scanning: Promise<void> | null = null;
  private scanAgain = false;
  private unsubscribe: (() => void) | null = null;
  private unfork: (() => void) | null = null;
  private readonly changeListeners = new Set<() => void>();

  constructor(private readonly components: MessageBookComponents) {}

  /** Reads what the logs hold now, then follows them as nodes are kept. */
  async start(): Promise<void> {
    const { logs } = this.components;
    this.unsubscribe ??= logs.onKept(() => void this.scan().catch(() => undefined));
    this.unfork ??= logs.onFork?.((author) => this.forked(author)) ?? null;
    for (const evidence of (await logs.forks?.()) ?? []) this.order.forked(evidence.author);
    await this.scan();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.unfork?.();
    this.unfork = null;
  }

  /** Calls `listener` whenever the order may have changed (new messages, a flushed cut, a fork); returns how to stop. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** `author`'s log forked: its messages not final yet are dropped. */
  forked(author: string): void {
    this.order.forked(author);
    this.changed();
  }

  /** Reads every node kept since the last scan; resolves once the logs are read up to now. */
  scan(): Promise<void> {
    if (this.scanning !== null) {
      this.scanAgain = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.scanAgain = false;
        let found = 0;
        const before = this.scannedTotal();
        for (const author of this.components.logs.authors()) found += await this.scanAuthor(author);
        if (found > 0) for (const listener of this.listeners) listener();
        if (this.scannedTotal() > before) this.changed();
      } while (this.scanAgain);
    })().finally(() => (this.scanning = null));
    return this.scanning;
  }

  /** Calls `listener` after a scan that found new messages; returns how to stop. */
  onMessages(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a message waits that no known flushed round covers: the rounds start one. */
  waiting(isMember: (address: string) => boolean = () => true): boolean {
    return this.order.waiting(isMember);
  }

  /** A flushed round covered these heads. */
  flushed(round: number, cut: readonly CutSeq[]): void {
    const cids = cut.every((head) => head.cid !== undefined) ? new Map(cut.map((head) => [head.author, String(head.cid)] as const)) : undefined;
    this.order.addCut({ round, heads: new Map(cut.map((head) => [head.author, head.seq] as const)), ...(cids === undefined ? {} : { cids }) });
    this.changed();
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /** The bytes of the signed log node at (author, seq), or null when not held. */
  async nodeBytes(author: string, seq: number): Promise<Uint8Array | null> {
    return (await this.components.logs.nodeAt(author, seq))?.bytes ?? null;
  }

  get(cid: string): OrderedMessage | undefined {
    return this.order.get(cid);
  }

  /** Reads the author's nodes not read yet; answers how many messages they held. */
  private async scanAuthor(author: string): Promise<number> {
    const { logs } = this.components;
    const reader = this.components.reader ?? plaintextReader;
    const length = logs.length(author);
    let found = 0;
    for (let seq = this.scannedOf(author); seq < length; seq++) {
      const node = await logs.nodeAt(author, seq);
      if (node === null) return found;
      const opened = reader.open(node.node.author, node.node.payload);
      // An envelope of an epoch whose key may still come: stop here, read on when it comes.
      if (!opened.readable && opened.later) return found;
      this.order.noteNode(author, seq, node.cid.toString());
      const fields = opened.readable ? asMessage(opened.payload) : null;
      if (fields !== null) {
        const { ts } = node.node;
        this.order.addMessage({ cid: node.cid.toString(), author: node.node.author, seq, ...(ts === undefined ? {} : { ts }), ...fields });
        found++;
      }
      this.order.noteScanned(author, seq + 1);
      this.scanned.set(author, seq + 1);
    }
    return found;
  }

  private scannedTotal(): number {
    let total = 0;
    for (const length of this.scanned.values()) total += length;
    return total;
  }

  private scannedOf(author: string): number {
    return this.scanned.get(author) ?? 0;
  }
}
