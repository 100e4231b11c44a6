/**
 * The replica follower's intake of members' head announcements. An announcement is taken only for
 * a followed ring and an author that is one of its members as the follower's last pass read them
 * from the chain; it then waits for the member's turn (memberTurns.ts: never beside the pass's
 * catch-up of the same log). At most one announcement waits per member: a newer one replaces it,
 * an older one is dropped (the newer head covers it), so what waits is bounded by the members
 * followed. In its turn it is verified and followed (announcedFollow.ts); the progress book
 * records a head taken, or a refusal when the announced nodes did not verify.
 */
import { getAddress } from "ethers";
import { ringDomain } from "../core/eip712.js";
import { LogVerificationError } from "../log/errors.js";
import type { ReceivedBlock } from "../log/verify.js";
import { syncAnnounced, type AnnouncedHead } from "./announcedFollow.js";
import type { FollowProgressBook } from "./followProgress.js";
import type { MemberTurns } from "./memberTurns.js";
import type { RangeFetcher } from "./followRange.js";
import type { ReplicaStore } from "./replicaStore.js";

/** What became of an announcement: taken (the head moved), nothing to do, or ignored and why. */
export type AnnouncementOutcome = { kind: "taken"; seq: number; fetched: number } | { kind: "stale" | "superseded" } | { kind: "ignored"; reason: string };

/** What the intake shares with its follower. */
export interface AnnouncedIntakeParts {
  /** Whether `author` (checksummed) is a member of `ring` (checksummed), a ring followed and not lapsed. */
  isMember(ring: string, author: string): boolean;
  turns: MemberTurns;
  book: FollowProgressBook;
  chainId(signal: AbortSignal): Promise<bigint>;
  /** The follower's: aborted when it stops. */
  signal: AbortSignal;
}

/** The follower's options the intake uses (ReplicaFollowerOptions' of the same names). */
interface IntakeOptions {
  store: ReplicaStore;
  fetchRange?: RangeFetcher;
  maxNodesPerPass?: number;
  maxBytesPerPass?: number;
  logger?: { debug(details: object, message: string): void };
}

export class AnnouncedIntake {
  /** ring/member -> the newest announcement waiting for the member's turn. */
  private readonly waiting = new Map<string, { head: AnnouncedHead; blocks: readonly ReceivedBlock[] }>();

  constructor(
    private readonly options: IntakeOptions,
    private readonly parts: AnnouncedIntakeParts,
  ) {}

  /** Takes `head`'s announcement for `ring` with its inline nodes (ascending, untrusted); resolves when it was handled or dropped. */
  async announced(ring: string, head: AnnouncedHead, blocks: readonly ReceivedBlock[]): Promise<AnnouncementOutcome> {
    const key = getAddress(ring);
    const author = getAddress(head.author);
    if (!this.parts.isMember(key, author)) return { kind: "ignored", reason: `${author} is not a member of a followed ring ${key}` };
    const row = `${key}/${author}`;
    const waiting = this.waiting.get(row);
    if (waiting !== undefined && waiting.head.seq >= head.seq) return { kind: "superseded" };
    this.waiting.set(row, { head: { ...head, author }, blocks });
    if (waiting !== undefined) return { kind: "superseded" };
    return this.parts.turns.run(row, () => this.take(key, author, row));
  }

  /** The member's turn for its newest waiting announcement. */
  private async take(ring: string, author: string, row: string): Promise<AnnouncementOutcome> {
    const next = this.waiting.get(row);
    this.waiting.delete(row);
    if (next === undefined || !this.parts.isMember(ring, author)) return { kind: "ignored", reason: `${author} is not a member of a followed ring ${ring}` };
    const { store, fetchRange, logger } = this.options;
    const { signal, book } = this.parts;
    const held = await store.head(ring, author);
    const context = { domain: ringDomain(await this.parts.chainId(signal), ring), isMember: (address: string) => address === author };
    const limits = { maxNodes: this.options.maxNodesPerPass ?? 10_000, maxBytes: this.options.maxBytesPerPass ?? 16 * 1024 * 1024 };
    try {
      const synced = await syncAnnounced({ ring, author, head: next.head, blocks: next.blocks, context, held, store, ...(fetchRange === undefined ? {} : { fetchRange }), ...limits, signal });
      if (synced.kind === "stale" || synced.kind === "unreachable") return { kind: "stale" };
      const moved = synced.head !== null && synced.fetched > 0 ? synced.head : null;
      book.announced(ring, author, synced.head, moved, false);
      if (moved === null) return { kind: "stale" };
      logger?.debug({ ring, member: author, seq: moved.seq, fetched: synced.fetched, from: synced.kind }, "announced head followed");
      return { kind: "taken", seq: moved.seq, fetched: synced.fetched };
    } catch (error) {
      const refused = error instanceof LogVerificationError;
      book.announced(ring, author, await store.head(ring, author), null, refused);
      logger?.debug({ err: error, ring, member: author, seq: next.head.seq }, refused ? "announced nodes refused" : "announced head not fetched; the chain passes follow it");
      return { kind: "ignored", reason: error instanceof Error ? error.message : String(error) };
    }
  }
}
