/**
 * A member's bookkeeping of key epochs (node/src/replica/epochLedger.ts), fed by hand the way
 * readKeys.ts feeds it from the logs: the key blocks it saw (whom each wraps a copy to) and the
 * copies it opened. What a removed member and a member admitted later end up holding.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { EpochLedger } from "../../../node/src/replica/epochLedger.js";

const [A, B, C, D] = ["0x" + "a".repeat(40), "0x" + "b".repeat(40), "0x" + "c".repeat(40), "0x" + "d".repeat(40)];
const key = (byte: number) => new Uint8Array(32).fill(byte);

describe("read-key epoch ledger", function () {
  it("a removed member sees the rotated epoch's block but holds no key of it: it keeps only the old epoch, and newest() says the new one is not its own", function () {
    const ledger = new EpochLedger();
    ledger.addBlock(0, { author: A, seq: 0, holders: [A, B, C], key: key(1) });
    ledger.addKey(0, key(1));
    ledger.addBlock(1, { author: A, seq: 5, holders: [A, B] });
    expect(ledger.keysOf(1)).to.deep.equal([]);
    expect(ledger.current()).to.deep.equal({ epoch: 0, key: key(1) });
    expect(ledger.newest()).to.deep.equal({ epoch: 1, holders: new Set([A, B]), mine: false });
  });

  it("a member admitted after a rotation, delivered the current epoch, holds that key and no key of an older epoch", function () {
    const ledger = new EpochLedger();
    ledger.addBlock(0, { author: A, seq: 0, holders: [A, B, C] });
    ledger.addBlock(1, { author: A, seq: 5, holders: [A, B] });
    ledger.addBlock(1, { author: A, seq: 9, holders: [D], key: key(2) });
    ledger.addKey(1, key(2));
    expect(ledger.keysOf(0)).to.deep.equal([]);
    expect(ledger.allKeys()).to.deep.equal([key(2)]);
    expect(ledger.newest()).to.deep.equal({ epoch: 1, holders: new Set([A, B, D]), mine: true });
    expect(ledger.current()).to.deep.equal({ epoch: 1, key: key(2) });
  });

  it("the same key opened twice is kept once; of two blocks for one epoch the member writes with the lowest author's", function () {
    const ledger = new EpochLedger();
    expect(ledger.addKey(3, key(7))).to.equal(true);
    expect(ledger.addKey(3, key(7))).to.equal(false);
    ledger.addBlock(3, { author: C, seq: 1, holders: [A, C], key: key(8) });
    ledger.addBlock(3, { author: B, seq: 4, holders: [A, B], key: key(7) });
    ledger.addKey(3, key(8));
    expect(ledger.keysOf(3)).to.have.length(2);
    expect(ledger.writingKey(3)).to.deep.equal(key(7));
  });

  it("lists every epoch it saw a block or a key of, in order, and holds none before anything arrived", function () {
    const ledger = new EpochLedger();
    expect(ledger.newest()).to.equal(null);
    expect(ledger.current()).to.equal(undefined);
    ledger.addKey(2, key(1));
    ledger.addBlock(0, { author: A, seq: 0, holders: [A] });
    expect(ledger.epochs()).to.deep.equal([0, 2]);
  });
});
