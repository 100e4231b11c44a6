/**
 * What a member knows of its ring's key epochs: the key blocks seen in the logs (author, seq, whom
 * each wraps a copy to) and the keys it opened, by epoch. Pure bookkeeping for readKeys.ts.
 */
import { hexlify } from "ethers";
import { keyWinner, type NewestEpoch } from "./keyRules.js";
import type { EpochKeys } from "./readKeyFile.js";

export interface LedgerBlock {
  author: string;
  seq: number;
  holders: string[];
  /** The key, when this member opened its copy. */
  key?: Uint8Array;
}

export class EpochLedger {
  private readonly keys: EpochKeys = new Map();
  private readonly blocks = new Map<number, LedgerBlock[]>();

  /** Adds a key of `epoch`; answers whether it was new. */
  addKey(epoch: number, key: Uint8Array): boolean {
    const list = this.keys.get(epoch) ?? [];
    if (list.some((held) => hexlify(held) === hexlify(key))) return false;
    list.push(key);
    this.keys.set(epoch, list);
    return true;
  }

  addBlock(epoch: number, block: LedgerBlock): void {
    const list = this.blocks.get(epoch) ?? [];
    list.push(block);
    this.blocks.set(epoch, list);
  }

  keysOf(epoch: number): Uint8Array[] {
    return this.keys.get(epoch) ?? [];
  }

  allKeys(): Uint8Array[] {
    return [...this.keys.values()].flat();
  }

  keysByEpoch(): EpochKeys {
    return new Map(this.keys);
  }

  /** The newest epoch this member holds a key of. */
  newestHeld(): number | undefined {
    return this.keys.size === 0 ? undefined : Math.max(...this.keys.keys());
  }

  holdersOf(epoch: number): Set<string> {
    return new Set((this.blocks.get(epoch) ?? []).flatMap((block) => block.holders));
  }

  /** The newest epoch any block names (or held key, when the blocks are not in the logs). */
  newest(): NewestEpoch | null {
    const epochs = [...this.blocks.keys(), ...this.keys.keys()];
    if (epochs.length === 0) return null;
    const epoch = Math.max(...epochs);
    return { epoch, holders: this.holdersOf(epoch), mine: this.keys.has(epoch) };
  }

  epochs(): number[] {
    return [...new Set([...this.blocks.keys(), ...this.keys.keys()])].sort((a, b) => a - b);
  }

  /** The key members write with for `epoch`: the winning block's among those opened here. */
  writingKey(epoch: number): Uint8Array | undefined {
    const opened = (this.blocks.get(epoch) ?? []).filter((block) => block.key !== undefined);
    return keyWinner(opened)?.key ?? this.keysOf(epoch)[0];
  }

  current(): { epoch: number; key: Uint8Array } | undefined {
    const epoch = this.newestHeld();
    const key = epoch === undefined ? undefined : this.writingKey(epoch);
    return epoch === undefined || key === undefined ? undefined : { epoch, key };
  }
}
