/**
 * Who writes which key block, decided by every member from the same view (the logs it holds and
 * the chain's member list), so members do not fight over keys:
 *
 * - **Epoch 0.** The first member that needs a key to write (a rounds entry or a message), finds
 *   no key block anywhere and has replicated every member up to its on-chain head writes epoch 0.
 *   A ring that never writes a sealed entry exchanges no keys. Two members doing so at once leave
 *   two blocks for epoch 0 (see below).
 * - **Rotation.** A holder of the newest epoch E's key (a member some block of E was wrapped to)
 *   is no longer a member: epoch E + 1 is written by the lowest-address member at once, by rank r
 *   after r x stagger. Its copies go to the current members only.
 * - **Delivery.** A current member holds no copy of E (admitted later, or its public key was not
 *   known yet): the holders of E, ranked by address, wrap E's key to it (rank r after r x stagger).
 *   A duplicate delivery carries the same key and is harmless.
 *
 * Two blocks for one epoch (a race past the stagger) are both kept: a reader tries every key it
 * holds for an envelope's epoch. The key a member *writes* with is the one from the winning block
 * of the newest epoch it holds: lowest author address first, then lowest seq (keyWinner).
 */

export type KeyAction =
  | { kind: "create"; epoch: 0 }
  | { kind: "rotate"; epoch: number }
  | { kind: "deliver"; epoch: number; to: string[] };

export interface NewestEpoch {
  epoch: number;
  /** Every member some block of this epoch wraps a copy to. */
  holders: ReadonlySet<string>;
  /** Whether this node opened a copy of it. */
  mine: boolean;
}

export interface KeyView {
  self: string;
  members: readonly string[];
  newest: NewestEpoch | null;
  /** Every member replicated up to its on-chain head (guards epoch 0 on a node that just joined). */
  caughtUp: boolean;
  /** An append here waits for a key. */
  wanted: boolean;
  /** How long (ms) this node has seen the need for `action` (0 the first time). */
  waited(actionId: string): number;
  staggerMs: number;
}

const lower = (address: string) => address.toLowerCase();

export function byAddress(addresses: Iterable<string>): string[] {
  return [...addresses].sort((a, b) => (lower(a) < lower(b) ? -1 : lower(a) > lower(b) ? 1 : 0));
}

/** Whether `self`, ranked among `ranked`, has waited its turn for `actionId`. */
function myTurn(view: KeyView, ranked: readonly string[], actionId: string): boolean {
  const rank = ranked.findIndex((member) => lower(member) === lower(view.self));
  return rank >= 0 && view.waited(actionId) >= rank * view.staggerMs;
}

export function actionId(action: KeyAction): string {
  return action.kind === "deliver" ? `deliver:${action.epoch}:${action.to.join(",")}` : `${action.kind}:${action.epoch}`;
}

/** What this node should write now, or null. */
export function decideKeyAction(view: KeyView): KeyAction | null {
  const members = byAddress(view.members);
  const isMember = new Set(members.map(lower));
  const { newest } = view;
  if (newest === null) {
    return view.caughtUp && view.wanted && isMember.has(lower(view.self)) ? { kind: "create", epoch: 0 } : null;
  }
  if ([...newest.holders].some((holder) => !isMember.has(lower(holder)))) {
    const rotate: KeyAction = { kind: "rotate", epoch: newest.epoch + 1 };
    return myTurn(view, members, actionId(rotate)) ? rotate : null;
  }
  if (!newest.mine) return null;
  const held = new Set([...newest.holders].map(lower));
  const missing = members.filter((member) => !held.has(lower(member)));
  if (missing.length === 0) return null;
  const deliver: KeyAction = { kind: "deliver", epoch: newest.epoch, to: missing };
  return myTurn(view, byAddress(members.filter((member) => held.has(lower(member)))), actionId(deliver)) ? deliver : null;
}

export interface KeyCandidate {
  author: string;
  seq: number;
}

/** The winning block of an epoch: lowest author address, then lowest seq. */
export function keyWinner<T extends KeyCandidate>(candidates: readonly T[]): T | undefined {
  return [...candidates].sort((a, b) => (lower(a.author) !== lower(b.author) ? (lower(a.author) < lower(b.author) ? -1 : 1) : a.seq - b.seq))[0];
}
