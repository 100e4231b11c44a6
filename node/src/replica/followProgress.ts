/**
 * How far a replica follows each member of each client ring (what the node's status shows): the
 * on-chain heads of the last pass and whether the held log reaches them, the last error, and what
 * announcements did: the newest announced head taken (verified and held) and how many
 * announcements naming the member were refused (nodes that did not verify or link).
 */
import { getAddress } from "ethers";
import type { CID } from "multiformats/cid";
import type { ReplicaFollowStatus } from "../api/results.js";
import type { ReplicaHead } from "./replicaStore.js";

function message(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  return error instanceof Error ? error.message : JSON.stringify(error);
}

function heldRow(held: ReplicaHead | null): ReplicaFollowStatus["held"] {
  return held === null ? null : { seq: held.seq, cid: held.cid.toString() };
}

export class FollowProgressBook {
  private readonly rows = new Map<string, ReplicaFollowStatus>();

  list(): ReplicaFollowStatus[] {
    return [...this.rows.values()];
  }

  /** After a pass over the member: its on-chain heads and whether the held log reaches them. */
  passed(ring: string, member: string, onChain: readonly CID[], held: ReplicaHead | null, caughtUp: boolean, error: unknown): void {
    const row = this.row(ring, member);
    this.rows.set(this.key(ring, member), { ...row, onChain: onChain.map((cid) => cid.toString()), held: heldRow(held), caughtUp, error: message(error), at: new Date().toISOString() });
  }

  /** After an announcement naming the member: `taken` when it moved the held head, `refused` when its nodes did not verify. */
  announced(ring: string, member: string, held: ReplicaHead | null, taken: { seq: number; cid: CID } | null, refused: boolean): void {
    const row = this.row(ring, member);
    const at = new Date().toISOString();
    this.rows.set(this.key(ring, member), {
      ...row,
      held: heldRow(held),
      announced: taken === null ? row.announced : { seq: taken.seq, cid: taken.cid.toString(), at },
      refusedAnnouncements: row.refusedAnnouncements + (refused ? 1 : 0),
      at,
    });
  }

  /** Forgets every member of `ring` (its registration lapsed). */
  forgetRing(ring: string): void {
    const key = getAddress(ring);
    for (const [row, progress] of this.rows) if (progress.ring === key) this.rows.delete(row);
  }

  private key(ring: string, member: string): string {
    return `${getAddress(ring)}/${getAddress(member)}`;
  }

  private row(ring: string, member: string): ReplicaFollowStatus {
    const found = this.rows.get(this.key(ring, member));
    if (found !== undefined) return found;
    return { ring: getAddress(ring), member: getAddress(member), onChain: [], held: null, caughtUp: false, error: null, announced: null, refusedAnnouncements: 0, at: new Date().toISOString() };
  }
}
