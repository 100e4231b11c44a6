/**
 * The agreed order of a ring's messages (messages/order.ts re-exports it; a replaying client
 * builds it too: client/replicaReplay.ts), as a pure function of what this member holds: the cuts of
 * the flushed rounds (member -> head seq, the heads the round's ring log node commits) and the
 * members' log entries. A message is final in the first round whose cut covers it (its author's
 * head seq in the cut is at least the message's seq); final messages are ordered by (round,
 * author address, seq). Every member holding the same rounds and logs derives the same sequence,
 * whatever order they arrived in.
 *
 * To keep the final sequence append-only (a cursor never skips a message that arrives late), a
 * round counts only once every earlier round is known and every node its cut covers has been
 * scanned here. Messages not covered by such a round are tentative.
 */

/** A message as it was logged: the log node's author, seq, CID and time, and the entry's fields (api/results.ts MessageItem without its status). */
export interface LoggedMessage {
  cid: string;
  author: string;
  seq: number;
  ts?: number;
  app: string;
  type?: string;
  payload: unknown;
}

/** A position in the agreed order. */
export interface MessagePosition {
  round: number;
  author: string;
  seq: number;
}

/** Orders positions as the agreed order does: round, then author address, then seq. */
export function comparePositions(a: MessagePosition, b: MessagePosition): number {
  if (a.round !== b.round) return a.round - b.round;
  const left = a.author.toLowerCase();
  const right = b.author.toLowerCase();
  if (left !== right) return left < right ? -1 : 1;
  return a.seq - b.seq;
}

/** A flushed round's cut: each member's head seq (members with an empty log are absent), and the head nodes' CIDs when known. */
export interface RoundCut {
  round: number;
  heads: ReadonlyMap<string, number>;
  cids?: ReadonlyMap<string, string>;
}

export interface OrderedMessage {
  message: LoggedMessage;
  /** The round the message became final in, or null while it is tentative. */
  round: number | null;
}

export interface MessagePage {
  items: OrderedMessage[];
  /** Where the last final item of the page is (or `after` when the page has none). */
  last: MessagePosition | null;
}

const key = (author: string) => author.toLowerCase();

export class MessageOrder {
  private readonly byCid = new Map<string, LoggedMessage>();
  /** author (lower case) -> seq -> message. */
  private readonly byAuthor = new Map<string, Map<number, LoggedMessage>>();
  /** author (lower case) -> how many of its nodes (seq 0 ... n-1) were scanned. */
  private readonly scanned = new Map<string, number>();
  private readonly cuts = new Map<number, Map<string, number>>();
  /** round -> author -> the CID its cut names at the head seq. */
  private readonly cutCids = new Map<number, Map<string, string>>();
  /** author -> seq -> CID of every node scanned (a cut's head is checked against it: a forked branch is not finalised). */
  private readonly nodeCids = new Map<string, Map<number, string>>();
  /** Authors whose log forked (proven, or a cut named another branch): their messages are not tentative any more. */
  private readonly forkedAuthors = new Set<string>();
  /** CIDs of messages that were tentative and will not be final (their author forked). */
  private readonly droppedCids = new Set<string>();
  /** author -> highest seq any known cut covers. */
  private readonly covered = new Map<string, number>();
  /** The final sequence so far, by app: extended round by round at its end. */
  private readonly finalByApp = new Map<string, OrderedMessage[]>();
  private readonly finalRoundOf = new Map<string, number>();
  /** author -> highest seq inside the final rounds. */
  private readonly done = new Map<string, number>();
  private finalRounds = 0;
  /** Messages not final yet, by app. */
  private readonly tentativeByApp = new Map<string, Map<string, LoggedMessage>>();
  /** A message came in below what the final rounds already cover (a caller out of order): rebuild. */
  private stale = false;

  /** Records a message entry found at (author, seq). Seen before: nothing changes. */
  addMessage(message: LoggedMessage): void {
    if (this.byCid.has(message.cid)) return;
    this.byCid.set(message.cid, message);
    let seqs = this.byAuthor.get(key(message.author));
    if (seqs === undefined) this.byAuthor.set(key(message.author), (seqs = new Map<number, LoggedMessage>()));
    seqs.set(message.seq, message);
    if (message.seq <= (this.done.get(key(message.author)) ?? -1)) this.stale = true;
    else if (this.forkedAuthors.has(key(message.author))) this.droppedCids.add(message.cid);
    else this.addTentative(message);
  }

  /** Every node of `author` below `length` has been scanned, and its messages added. */
  noteScanned(author: string, length: number): void {
    if (length > (this.scanned.get(key(author)) ?? 0)) this.scanned.set(key(author), length);
  }

  /** The node at (author, seq) scanned here has this CID. */
  noteNode(author: string, seq: number, cid: string): void {
    let cids = this.nodeCids.get(key(author));
    if (cids === undefined) this.nodeCids.set(key(author), (cids = new Map<number, string>()));
    cids.set(seq, cid);
  }

  /**
   * `author`'s log forked: its messages not final now are dropped (and any found later): they stay
   * out of the final order unless a flushed cut names their very nodes (its head CID).
   */
  forked(author: string): void {
    this.forkedAuthors.add(key(author));
    for (const tentative of this.tentativeByApp.values()) {
      for (const [cid, message] of tentative) {
        if (key(message.author) !== key(author)) continue;
        tentative.delete(cid);
        this.droppedCids.add(cid);
      }
    }
  }

  /** Whether the message was tentative and will not be final here (its author forked). */
  isDropped(cid: string): boolean {
    this.extend();
    return this.droppedCids.has(cid) && !this.finalRoundOf.has(cid);
  }

  /** Records a flushed round's cut. Known already: nothing changes. */
  addCut(cut: RoundCut): void {
    if (this.cuts.has(cut.round)) return;
    const heads = new Map([...cut.heads].map(([author, seq]) => [key(author), seq] as const));
    this.cuts.set(cut.round, heads);
    if (cut.cids !== undefined) this.cutCids.set(cut.round, new Map([...cut.cids].map(([author, cid]) => [key(author), cid] as const)));
    for (const [author, seq] of heads) if (seq > (this.covered.get(author) ?? -1)) this.covered.set(author, seq);
  }

  /** Whether some message by an author `isMember` accepts is covered by no known cut: a round is wanted. */
  waiting(isMember: (author: string) => boolean = () => true): boolean {
    for (const tentative of this.tentativeByApp.values()) {
      for (const message of tentative.values()) if (message.seq > (this.covered.get(key(message.author)) ?? -1) && isMember(message.author)) return true;
    }
    return false;
  }

  get(cid: string): OrderedMessage | undefined {
    const message = this.byCid.get(cid);
    if (message === undefined) return undefined;
    this.extend();
    return { message, round: this.finalRoundOf.get(cid) ?? null };
  }

  /** Rounds 1 ... n count: known, and every node their cuts cover scanned here. */
  get finalRound(): number {
    this.extend();
    return this.finalRounds;
  }

  /** Whether `position` is a final message of `app` here. */
  isFinalPosition(app: string, position: MessagePosition): boolean {
    const message = this.byAuthor.get(key(position.author))?.get(position.seq);
    return message !== undefined && message.app === app && this.get(message.cid)?.round === position.round;
  }

  /** Up to `limit` final messages of `app` after `after` (from the start without it), in the agreed order. */
  finalAfter(app: string, after: MessagePosition | null, limit: number): OrderedMessage[] {
    this.extend();
    const final = this.finalByApp.get(app) ?? [];
    const start = after === null ? 0 : firstAfter(final, after);
    return final.slice(start, start + limit);
  }

  /** The tentative messages of `app`, by author and seq. */
  tentativeOf(app: string): LoggedMessage[] {
    this.extend();
    return [...(this.tentativeByApp.get(app)?.values() ?? [])].sort(compareAuthorSeq);
  }

  /**
   * Up to `limit` messages of `app` after `after` (from the start without it): final ones in the
   * agreed order, then, once the final ones are all given, the tentative ones (by author and seq).
   */
  read(app: string, after: MessagePosition | null, limit: number): MessagePage {
    this.extend();
    const final = this.finalByApp.get(app) ?? [];
    const start = after === null ? 0 : firstAfter(final, after);
    const items = final.slice(start, start + limit);
    const lastFinal = items.at(-1);
    const last = lastFinal === undefined ? after : positionOf(lastFinal);
    if (items.length < limit) {
      const tentative = [...(this.tentativeByApp.get(app)?.values() ?? [])].sort(compareAuthorSeq);
      items.push(...tentative.slice(0, limit - items.length).map((message) => ({ message, round: null })));
    }
    return { items, last };
  }

  private addTentative(message: LoggedMessage): void {
    let tentative = this.tentativeByApp.get(message.app);
    if (tentative === undefined) this.tentativeByApp.set(message.app, (tentative = new Map<string, LoggedMessage>()));
    tentative.set(message.cid, message);
  }

  /** Appends every round that counts now to the final sequence (from round 1 again after an out-of-order message). */
  private extend(): void {
    if (this.stale) this.reset();
    for (let round = this.finalRounds + 1; ; round++) {
      const cut = this.cuts.get(round);
      if (cut === undefined || ![...cut].every(([author, seq]) => (this.scanned.get(author) ?? 0) > seq)) return;
      if (!this.onCutBranch(round, cut)) return;
      const inRound: LoggedMessage[] = [];
      for (const [author, head] of cut) {
        const seqs = this.byAuthor.get(author);
        for (let seq = (this.done.get(author) ?? -1) + 1; seq <= head; seq++) {
          const message = seqs?.get(seq);
          if (message !== undefined) inRound.push(message);
        }
        if (head > (this.done.get(author) ?? -1)) this.done.set(author, head);
      }
      inRound.sort(compareAuthorSeq);
      for (const message of inRound) {
        this.finalRoundOf.set(message.cid, round);
        this.tentativeByApp.get(message.app)?.delete(message.cid);
        let list = this.finalByApp.get(message.app);
        if (list === undefined) this.finalByApp.set(message.app, (list = [] as OrderedMessage[]));
        list.push({ message, round });
      }
      this.finalRounds = round;
    }
  }

  /**
   * Whether every head the round's cut names (by CID) is the node held here at that seq. When one is
   * not, its author forked and the cut took the other branch: the round cannot count here (its
   * messages are not all held), and the author's messages not final yet are dropped.
   */
  private onCutBranch(round: number, cut: ReadonlyMap<string, number>): boolean {
    const cids = this.cutCids.get(round);
    if (cids === undefined) return true;
    let matches = true;
    for (const [author, seq] of cut) {
      const named = cids.get(author);
      if (named === undefined || this.nodeCids.get(author)?.get(seq) === named) continue;
      matches = false;
      if (!this.forkedAuthors.has(author)) this.forked(author);
    }
    return matches;
  }

  private reset(): void {
    this.stale = false;
    this.finalByApp.clear();
    this.finalRoundOf.clear();
    this.done.clear();
    this.finalRounds = 0;
    this.tentativeByApp.clear();
    for (const message of this.byCid.values()) if (!this.droppedCids.has(message.cid)) this.addTentative(message);
  }
}

/** The index of the first item after `position` (the final sequence is sorted by position). */
function firstAfter(final: readonly OrderedMessage[], position: MessagePosition): number {
  let low = 0;
  let high = final.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (comparePositions(positionOf(final[middle] as OrderedMessage), position) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function compareAuthorSeq(a: LoggedMessage, b: LoggedMessage): number {
  const byAuthor = key(a.author) < key(b.author) ? -1 : key(a.author) > key(b.author) ? 1 : 0;
  return byAuthor !== 0 ? byAuthor : a.seq - b.seq;
}

function positionOf(item: OrderedMessage): MessagePosition {
  return { round: item.round ?? 0, author: item.message.author, seq: item.message.seq };
}
