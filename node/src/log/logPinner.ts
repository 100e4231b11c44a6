/**
 * Pins every node of every member's log that this node keeps (its own and the replicated ones) in
 * Helia, so that Helia's garbage collection never takes them. Each node is pinned on its own
 * (depth 0): its parent has its own pin, and re-pinning a whole log from each new head would walk
 * the log again every time. Pinning runs in the background, in seq order a window of nodes at a
 * time, after the nodes are kept; an append never waits for it. At start it finds, per author, the
 * first node a previous run left unpinned (pins are made window by window, so the pinned nodes are
 * a prefix but for holes in the last window) and goes on from one window before it. A window's pins
 * are Helia's own records written in one datastore batch (pinRecords.ts), about 4x cheaper than
 * `pins.add` per node, which took CPU from the appends and the catch-up it runs beside.
 */
import type { Pins } from "@helia/interface";
import type { Datastore } from "interface-datastore";
import type { CID } from "multiformats/cid";
import type { Logger } from "pino";
import { pinAtDepthZero } from "./pinRecords.js";
import type { LogStore } from "./store.js";

/** What of Helia the pinner uses: its pins (to find where a previous run stopped) and the datastore they live in. */
export interface PinnerHelia {
  pins: Pick<Pins, "isPinned">;
  datastore: Datastore;
}

/** Nodes pinned at once (one datastore batch); the pinned seq moves per window. */
const PIN_WINDOW = 64;

export class LogPinner {
  /** author -> highest seq pinned (every lower seq is pinned too). */
  private readonly pinned = new Map<string, number>();
  /** author -> highest seq kept that should be pinned. */
  private readonly wanted = new Map<string, number>();
  /** Checked between pins: a pin in progress finishes (it is short), none starts after `stop`. */
  private stopped = false;
  private running: Promise<void> | null = null;
  private again = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly helia: PinnerHelia,
    private readonly store: LogStore,
    private readonly logger: Logger,
  ) {}

  /** Pins what the store holds and, from now on, every node it keeps. */
  start(): void {
    this.unsubscribe = this.store.onKept((author, seq) => this.want(author, seq));
    for (const head of this.store.heads()) this.want(head.author, head.seq);
  }

  /** Stops after the pin in progress; what is left is pinned at the next start. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.stopped = true;
    await this.running;
  }

  /** The highest seq of `author`'s log pinned here, -1 when none (or not known yet). */
  pinnedSeq(author: string): number {
    return this.pinned.get(author) ?? -1;
  }

  private want(author: string, seq: number): void {
    if (seq > (this.wanted.get(author) ?? -1)) this.wanted.set(author, seq);
    this.kick();
  }

  /** One drain at a time; a want that arrives meanwhile makes it go round once more. */
  private kick(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: unknown) => {
        if (!this.stopped) this.logger.warn({ err: error }, "pinning stopped; it resumes with the next node kept");
      })
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) this.kick();
      });
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      for (const [author, target] of this.wanted) {
        // After a crash, the last window may have holes below the first unpinned node: redo it.
        let seq = this.pinned.get(author) ?? Math.max(0, (await this.firstUnpinned(author)) - PIN_WINDOW) - 1;
        while (seq < target) {
          if (this.stopped) return;
          const window: CID[] = [];
          for (let next = seq + 1; next <= Math.min(target, seq + PIN_WINDOW); next++) {
            const cid = this.store.cidAt(author, next);
            if (cid === undefined) break;
            window.push(cid);
          }
          if (window.length === 0) break;
          await pinAtDepthZero(this.helia.datastore, window);
          seq += window.length;
          this.pinned.set(author, seq);
        }
      }
    } while (this.again && !this.stopped);
  }

  /** The lowest seq of `author` not pinned yet (binary search over the pinned prefix). */
  private async firstUnpinned(author: string): Promise<number> {
    let low = 0;
    let high = this.store.length(author);
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const cid = this.store.cidAt(author, middle);
      if (cid !== undefined && (await this.helia.pins.isPinned(cid))) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
