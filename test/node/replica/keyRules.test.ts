/**
 * Who writes which key block (node/src/replica/keyRules.ts), from views made by hand: epoch 0 by
 * the first member that needs a key, rotation when a holder left, delivery to a member without a copy, each
 * member of rank r waiting r x stagger; and the winning block of an epoch.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { byAddress, decideKeyAction, keyWinner, type KeyView, type NewestEpoch } from "../../../node/src/replica/keyRules.js";

const [A, B, C, D] = byAddress(["0x" + "c".repeat(40), "0x" + "a".repeat(40), "0x" + "d".repeat(40), "0x" + "b".repeat(40)]) as [string, string, string, string];
const STAGGER = 1_000;

function view(self: string, members: string[], newest: NewestEpoch | null, waitedMs = 0, caughtUp = true, wanted = true): KeyView {
  return { self, members, newest, caughtUp, wanted, staggerMs: STAGGER, waited: () => waitedMs };
}

const epoch = (n: number, holders: string[], mine = true): NewestEpoch => ({ epoch: n, holders: new Set(holders), mine });

describe("read-key rules", function () {
  it("with no key block anywhere, the member that needs a key to write makes epoch 0 at once, whatever its rank", function () {
    expect(decideKeyAction(view(C, [D, C, B, A], null))).to.deep.equal({ kind: "create", epoch: 0 });
  });

  it("a member that needs no key, or is not yet replicated up to the chain's heads, or is no member, writes no epoch 0", function () {
    expect(decideKeyAction(view(A, [A, B], null, 0, true, false))).to.equal(null);
    expect(decideKeyAction(view(A, [A, B], null, 0, false))).to.equal(null);
    expect(decideKeyAction(view(C, [A, B], null))).to.equal(null);
  });

  it("a holder of the newest key removed from the ring makes the lowest remaining member rotate to the next epoch", function () {
    const newest = epoch(4, [A, B, C, D]);
    expect(decideKeyAction(view(B, [B, C, D], newest))).to.deep.equal({ kind: "rotate", epoch: 5 });
    expect(decideKeyAction(view(C, [B, C, D], newest))).to.equal(null);
    expect(decideKeyAction(view(C, [B, C, D], newest, STAGGER))).to.deep.equal({ kind: "rotate", epoch: 5 });
  });

  it("a member that does not hold the newest key may still rotate (the new key is fresh)", function () {
    expect(decideKeyAction(view(B, [B, C], epoch(1, [A, C], false)))).to.deep.equal({ kind: "rotate", epoch: 2 });
  });

  it("the removed member itself never writes a key block", function () {
    expect(decideKeyAction(view(A, [B, C, D], epoch(0, [A, B, C, D]), 10 * STAGGER))).to.equal(null);
  });

  it("a member admitted later is delivered the current key by the lowest holder first, then by the others in turn", function () {
    const newest = epoch(2, [A, B, C]);
    expect(decideKeyAction(view(A, [A, B, C, D], newest))).to.deep.equal({ kind: "deliver", epoch: 2, to: [D] });
    expect(decideKeyAction(view(B, [A, B, C, D], newest))).to.equal(null);
    expect(decideKeyAction(view(B, [A, B, C, D], newest, STAGGER))).to.deep.equal({ kind: "deliver", epoch: 2, to: [D] });
  });

  it("a member that does not hold the key delivers nothing; when every member holds it nothing is done", function () {
    expect(decideKeyAction(view(D, [A, B, C, D], epoch(2, [A, B, C], false), 10 * STAGGER))).to.equal(null);
    expect(decideKeyAction(view(A, [A, B, C, D], epoch(2, [A, B, C, D]), 10 * STAGGER))).to.equal(null);
  });

  it("of two blocks for one epoch the lowest author wins, then the lowest seq", function () {
    expect(keyWinner([{ author: C, seq: 1 }, { author: A, seq: 9 }, { author: A, seq: 3 }])).to.deep.equal({ author: A, seq: 3 });
    expect(keyWinner([])).to.equal(undefined);
  });
});
