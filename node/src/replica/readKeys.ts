/**
 * A member's read keys for its ring, by epoch, without a trusted dealer: it reads every key block
 * in the logs it holds (keyBlock.ts), opens the copies wrapped to it (keyWrap.ts), keeps the keys
 * (read-keys.json, readKeyFile.ts) and writes the key blocks the rules give it (keyRules.ts:
 * epoch 0, rotation after a holder left, delivery to a member without a copy). It seals what the
 * member writes with the newest epoch's key (the envelope names its epoch) and opens what the
 * member replicated (sealedLog.ts's PayloadReader). A `public` ring writes plaintext and no keys.
 */
import { randomBytes } from "@noble/ciphers/utils.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import { bytes32ToCid } from "../core/cid.js";
import { checksumAddress } from "../core/secp256k1.js";
import type { OwnLog } from "../log/ownLog.js";
import type { LogStore } from "../log/store.js";
import { join } from "node:path";
import { NoReadKeyError } from "./errors.js";
import { asKeyBlock, keyBlockEntry, keyRequestEntry } from "./keyBlock.js";
import { actionId, decideKeyAction, type KeyAction, type NewestEpoch } from "./keyRules.js";
import { EpochLedger } from "./epochLedger.js";
import { unwrapReadKey, wrapReadKey, type WrappedKey } from "./keyWrap.js";
import { MemberPublicKeys } from "./memberPublicKeys.js";
import { decryptPayload, encryptPayload, isEncryptedPayload } from "./payloadCipher.js";
import { READ_KEYS_FILE, readEpochKeys, writeEpochKeys } from "./readKeyFile.js";
import type { OpenedPayload, PayloadReader, PayloadSealer } from "./sealedLog.js";
import { ringKeyId } from "./ringKeys.js";

export interface ReadKeysComponents {
  logs: Pick<LogStore, "authors" | "length" | "nodeAt" | "onKept" | "readBytes">;
  ownLog: Pick<OwnLog, "append" | "author">;
  chain: Pick<RingChainView, "ring" | "domain" | "members" | "nodeInfo" | "logNodeHead">;
  privateKey: Uint8Array;
  logger: Logger;
}

export interface ReadKeysOptions {
  dataDir: string;
  /** Plaintext entries and no keys (config `publicRing`). */
  publicRing: boolean;
  /** A member of rank r acts after r x this (keyRules.ts). */
  staggerMs?: number;
  tickMs?: number;
  /** Longest an append waits for the first key. */
  sealWaitMs?: number;
}

export interface KeyEpochStatus {
  epoch: number;
  keyIds: string[];
  /** Members the epoch's blocks wrap a copy to, as far as this node's logs show. */
  holders: string[];
}

export interface ReadKeysStatus {
  public: boolean;
  current: { epoch: number; keyId: string } | null;
  epochs: KeyEpochStatus[];
}

export class RingReadKeys implements PayloadReader, PayloadSealer {
  private readonly ledger = new EpochLedger();
  private readonly scanned = new Map<string, number>();
  private readonly noticed = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly publicKeys: MemberPublicKeys;
  private readonly file: string;
  private readonly self: string;
  private scanning: Promise<void> | null = null;
  private again = false;
  private acting: Promise<void> = Promise.resolve();
  private requested = false;
  /** Appends waiting for a first key. */
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly components: ReadKeysComponents,
    private readonly options: ReadKeysOptions,
  ) {
    this.publicKeys = new MemberPublicKeys({ chain: components.chain, logs: components.logs, domain: components.chain.domain });
    this.file = join(options.dataDir, READ_KEYS_FILE);
    this.self = checksumAddress(components.ownLog.author);
  }

  get isPublic(): boolean {
    return this.options.publicRing;
  }

  async start(): Promise<void> {
    if (this.options.publicRing) return;
    for (const [epoch, keys] of await readEpochKeys(this.file, this.components.chain.ring)) for (const key of keys) this.ledger.addKey(epoch, key);
    this.unsubscribe = this.components.logs.onKept(() => void this.scan().catch(() => undefined));
    await this.scan();
    this.timer = setInterval(() => this.tickSoon(), this.options.tickMs ?? 1_000);
    this.tickSoon();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.acting;
    await this.scanning;
  }

  /** Calls `listener` whenever a key was opened (readers retry what waited for one). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The epoch and key this member writes with now, if it holds one. */
  current(): { epoch: number; key: Uint8Array } | undefined {
    return this.ledger.current();
  }

  async seal(payload: unknown): Promise<unknown> {
    if (this.options.publicRing) return payload;
    const current = this.current() ?? (await this.firstKey());
    const context = { ring: this.components.chain.ring, author: this.self };
    return { ...encryptPayload(current.key, payload, context), epoch: current.epoch };
  }

  open(author: string, payload: unknown): OpenedPayload {
    if (!isEncryptedPayload(payload)) return { readable: true, payload };
    const epoch = (payload as { epoch?: unknown }).epoch;
    const known = typeof epoch === "number" ? this.ledger.keysOf(epoch) : this.ledger.allKeys();
    const context = { ring: this.components.chain.ring, author };
    for (const key of known) {
      try {
        return { readable: true, payload: decryptPayload(key, payload, context) };
      } catch {
        // another key of the epoch, or not for us
      }
    }
    const newest = this.ledger.newestHeld();
    return { readable: false, later: typeof epoch === "number" && known.length === 0 && (newest === undefined || epoch > newest) };
  }

  status(): ReadKeysStatus {
    const current = this.current();
    return {
      public: this.options.publicRing,
      current: current === undefined ? null : { epoch: current.epoch, keyId: ringKeyId(current.key) },
      epochs: this.ledger.epochs().map((epoch) => ({ epoch, keyIds: this.ledger.keysOf(epoch).map(ringKeyId), holders: [...this.ledger.holdersOf(epoch)] })),
    };
  }

  /** Reads the key blocks kept since the last scan. */
  scan(): Promise<void> {
    if (this.scanning !== null) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      let opened = false;
      do {
        this.again = false;
        for (const author of this.components.logs.authors()) if (await this.scanAuthor(author)) opened = true;
      } while (this.again);
      if (opened) {
        await writeEpochKeys(this.file, this.components.chain.ring, this.ledger.keysByEpoch());
        for (const listener of this.listeners) listener();
      }
    })().finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async scanAuthor(author: string): Promise<boolean> {
    const { logs, chain, privateKey } = this.components;
    let opened = false;
    for (let seq = this.scanned.get(author) ?? 0; seq < logs.length(author); seq++) {
      const node = await logs.nodeAt(author, seq);
      if (node === null) break;
      this.scanned.set(author, seq + 1);
      const block = asKeyBlock(node.node.payload, chain.ring);
      if (block === null) continue;
      const mine = block.wrapped.find((copy) => copy.member === this.self);
      let key: Uint8Array | undefined;
      if (mine !== undefined) {
        try {
          key = unwrapReadKey(mine, privateKey, { ring: chain.ring, epoch: block.epoch });
          opened = this.ledger.addKey(block.epoch, key) || opened;
        } catch (error) {
          this.components.logger.warn({ err: error, author, seq, epoch: block.epoch }, "a key block's copy for this member does not open");
        }
      }
      this.ledger.addBlock(block.epoch, { author, seq, holders: block.wrapped.map((copy) => copy.member), ...(key === undefined ? {} : { key }) });
    }
    return opened;
  }

  private async firstKey(): Promise<{ epoch: number; key: Uint8Array }> {
    const deadline = Date.now() + (this.options.sealWaitMs ?? 60_000);
    this.waiting++;
    this.tickSoon();
    try {
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const current = this.current();
        if (current !== undefined) return current;
      }
    } finally {
      this.waiting--;
    }
    throw new NoReadKeyError(`no read key for ring ${this.components.chain.ring} after ${this.options.sealWaitMs ?? 60_000} ms: no member has delivered one to ${this.self} yet`);
  }

  private tickSoon(): void {
    this.acting = this.acting.then(() => this.tick()).catch((error: unknown) => this.components.logger.warn({ err: error }, "read-key step failed"));
  }

  private async tick(): Promise<void> {
    await this.scan();
    const { chain, logs, ownLog } = this.components;
    const members = chain.members().map(checksumAddress);
    if (!members.includes(this.self)) return;
    const newest: NewestEpoch | null = this.ledger.newest();
    if (newest !== null && !newest.mine && logs.length(this.self) === 0 && !this.requested) {
      this.requested = true;
      await ownLog.append(keyRequestEntry(chain.ring));
    }
    const now = Date.now();
    const action = decideKeyAction({
      self: this.self,
      members,
      newest,
      caughtUp: newest !== null || (this.waiting > 0 && (await this.caughtUp(members))),
      wanted: this.waiting > 0,
      staggerMs: this.options.staggerMs ?? 4_000,
      waited: (id) => now - (this.noticed.get(id) ?? (this.noticed.set(id, now), now)),
    });
    if (action === null) return;
    if (await this.perform(action, members)) this.noticed.clear();
  }

  /** Every other member's on-chain head is held here (a member that just joined waits for the logs). */
  private async caughtUp(members: readonly string[]): Promise<boolean> {
    for (const member of members) {
      if (member === this.self) continue;
      const head = bytes32ToCid(this.components.chain.logNodeHead(member));
      if (head !== null && (await this.components.logs.readBytes(head)) === null) return false;
    }
    return true;
  }

  private async perform(action: KeyAction, members: readonly string[]): Promise<boolean> {
    const { chain, ownLog, logger } = this.components;
    const key = action.kind === "deliver" ? this.ledger.writingKey(action.epoch) : randomBytes(32);
    if (key === undefined) return false;
    const to = action.kind === "deliver" ? action.to : members;
    const wrapped: WrappedKey[] = [];
    for (const member of to) {
      const publicKey = member === this.self ? secp256k1.getPublicKey(this.components.privateKey, true) : await this.publicKeys.of(member);
      if (publicKey !== undefined) wrapped.push(wrapReadKey(key, member, publicKey, { ring: chain.ring, epoch: action.epoch }));
    }
    if (wrapped.length === 0) return false;
    await ownLog.append(keyBlockEntry({ epoch: action.epoch, ring: chain.ring, wrapped }));
    logger.info({ action: actionId(action), keyId: ringKeyId(key), to: wrapped.map((copy) => copy.member) }, "wrote a key block");
    await this.scan();
    return true;
  }
}
