/**
 * Follows one Ring contract over an ethers JSON-RPC provider (hardhat node or any EVM endpoint):
 * members, their node info (multiaddr, PeerId), log heads, the ring head, round and membership epoch, the
 * ring's signing scheme (and a BlsRing's keys), and the contract's events as they are mined. Reads are cached and refreshed by polling; every call is
 * bounded by a timeout.
 */
import { Contract, JsonRpcProvider, type Signer, type TypedDataDomain } from "ethers";
import { TypedEventEmitter } from "main-event";
import type { Logger } from "pino";
import { ZERO_BYTES32 } from "../core/cid.js";
import { ringDomain } from "../core/eip712.js";
import { checksumAddress } from "../core/secp256k1.js";
import { ringInterface } from "./abi/ring.js";
import { BlsKeyBook, ringScheme, type RingScheme } from "./blsKeys.js";
import { LOG_RANGE, RingReads } from "./contractReads.js";
import { ChainTimeoutError, NotARingError } from "./errors.js";
import { connectProvider } from "./provider.js";
import type { Membership } from "./membership.js";
import { peerIdFromChainBytes, ringEventOf, type RingEventListener, type RingEventRecord } from "./ringEvents.js";
import { bounded, CHAIN_TIMEOUT_MS, type WaitOptions } from "./wait.js";

export type { RingEvent, RingEventListener, RingEventRecord } from "./ringEvents.js";

export interface NodeInfo {
  multiaddr: string;
  /** PeerId string, or null when the member has not published one (or it does not decode). */
  peerId: string | null;
}

/** The view's events: each Ring event as it is mined, after the caches took it in. */
export interface RingChainViewEvents {
  "ring:event": CustomEvent<RingEventRecord>;
}

export interface RingChainViewOptions {
  rpcUrl: string;
  ring: string;
  pollMs?: number;
  /** Bound on every JSON-RPC call. */
  timeoutMs?: number;
  logger?: Logger;
  /** Aborts connecting. */
  signal?: AbortSignal;
}

export class RingChainView extends TypedEventEmitter<RingChainViewEvents> implements Membership {
  readonly ring: string;
  readonly domain: TypedDataDomain;
  private memberList: string[] = [];
  private memberSet = new Set<string>();
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private readonly heads = new Map<string, string>();
  private currentRound = 0n;
  private currentMembershipEpoch = 0n;
  private currentRingNodeHead = ZERO_BYTES32;
  private lastBlock = -1;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** Aborted by `stop`, so a poll in flight stops waiting for the endpoint. */
  private readonly stopping = new AbortController();
  private readonly reads: RingReads;
  private signing: RingScheme = "ecdsa";
  /** A BlsRing's key registry (null for an ECDSA ring), kept fresh by the events below. */
  private keyBook: BlsKeyBook | null = null;

  private constructor(
    readonly provider: JsonRpcProvider,
    ring: string,
    readonly chainId: bigint,
    private readonly pollMs: number,
    private readonly timeoutMs: number,
    private readonly logger: Logger | undefined,
  ) {
    super();
    this.ring = checksumAddress(ring);
    this.domain = ringDomain(chainId, this.ring);
    this.reads = new RingReads(this.ring, provider, timeoutMs);
  }

  /** Connects, checks that `ring` is a Ring contract, and loads members, node info and heads. */
  static async connect(options: RingChainViewOptions): Promise<RingChainView> {
    const timeoutMs = options.timeoutMs ?? CHAIN_TIMEOUT_MS;
    const wait = (what: string) => ({ milliseconds: timeoutMs, what, signal: options.signal });
    const pollMs = options.pollMs ?? 1_000;
    const { provider, chainId } = await connectProvider(options.rpcUrl, { timeoutMs, pollMs, signal: options.signal });
    const view = new RingChainView(provider, options.ring, chainId, pollMs, timeoutMs, options.logger);
    try {
      const code = await bounded(provider.getCode(view.ring), wait("eth_getCode"));
      if (code === "0x") throw new NotARingError(`no contract at ${view.ring} on chain ${chainId}`);
      view.lastBlock = await bounded(provider.getBlockNumber(), wait("eth_blockNumber"));
      await view.refresh({ signal: options.signal });
      view.signing = await ringScheme(provider, view.ring, { timeoutMs, signal: options.signal });
      if (view.signing === "bls") view.keyBook = new BlsKeyBook(view.ring, provider, timeoutMs);
    } catch (error) {
      provider.destroy();
      if (error instanceof NotARingError || error instanceof ChainTimeoutError || options.signal?.aborted === true) throw error;
      throw new NotARingError(`${view.ring} on chain ${chainId} does not answer as a Ring: ${(error as Error).message}`);
    }
    return view;
  }

  /** How the ring's rounds are signed: a BlsRing ("bls") or a Ring ("ecdsa"), read once at connect. */
  scheme(): RingScheme {
    return this.signing;
  }

  /** A BlsRing's registered keys (null for an ECDSA ring). */
  blsKeys(): BlsKeyBook | null {
    return this.keyBook;
  }

  members(): readonly string[] {
    return this.memberList;
  }

  isMember(address: string): boolean {
    try {
      return this.memberSet.has(checksumAddress(address));
    } catch {
      return false;
    }
  }

  nodeInfo(member: string): NodeInfo | undefined {
    return this.nodeInfos.get(checksumAddress(member));
  }

  /** The member's log head recorded on chain (bytes32 digest; zero when none). */
  logNodeHead(member: string): string {
    return this.heads.get(checksumAddress(member)) ?? ZERO_BYTES32;
  }

  round(): bigint {
    return this.currentRound;
  }

  ringNodeHead(): string {
    return this.currentRingNodeHead;
  }

  /** The membership epoch as last read: votes signed now must carry it (re-read on every member event). */
  membershipEpoch(): bigint {
    return this.currentMembershipEpoch;
  }

  /** Reads everything again from the chain. */
  async refresh(options?: WaitOptions): Promise<void> {
    const [members, membershipEpoch] = await Promise.all([this.reads.members(options), this.reads.membershipEpoch(options)]);
    this.memberList = members;
    this.currentMembershipEpoch = membershipEpoch;
    this.memberSet = new Set(members);
    await Promise.all(members.map((member) => this.refreshMember(member, options)));
    this.currentRound = BigInt(await this.reads.round(options));
    this.currentRingNodeHead = await this.reads.ringNodeHead(options);
  }

  /** Starts polling for new blocks and events. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.polling !== undefined) return;
      this.polling = this.poll({ signal: this.stopping.signal })
        .catch((error: unknown) => {
          if (!this.stopping.signal.aborted) this.logger?.warn({ err: error }, "chain poll failed");
        })
        .finally(() => (this.polling = undefined));
    }, this.pollMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.polling;
    this.provider.destroy();
  }

  /**
   * Calls `listener` with every Ring event as it is mined; returns the unsubscribe. A listener
   * that throws is logged and does not disturb the others (or the poll).
   */
  onEvent(listener: RingEventListener): () => void {
    const handler = (event: CustomEvent<RingEventRecord>): void => {
      try {
        listener(event.detail);
      } catch (error) {
        this.logger?.warn({ err: error }, "chain event listener failed");
      }
    };
    this.addEventListener("ring:event", handler);
    return () => this.removeEventListener("ring:event", handler);
  }

  /** Publishes this member's multiaddr and PeerId (multihash bytes); resolves when mined. */
  async setNodeInfo(signer: Signer, multiaddr: string, peerId: Uint8Array, options?: WaitOptions): Promise<string> {
    const setNodeInfo = new Contract(this.ring, ringInterface, signer).getFunction("setNodeInfo");
    const sent = setNodeInfo(multiaddr, peerId) as Promise<{ hash: string; wait(): Promise<unknown> }>;
    const tx = await bounded(sent, { milliseconds: this.timeoutMs, what: "setNodeInfo", signal: options?.signal });
    await bounded(tx.wait(), { milliseconds: this.timeoutMs * 6, what: "setNodeInfo receipt", signal: options?.signal });
    await this.refreshMember(await signer.getAddress(), options);
    return tx.hash;
  }

  /** One poll: new events since the last block seen, applied to the caches and passed to listeners. */
  async poll(options?: WaitOptions): Promise<void> {
    const latest = await bounded(this.provider.getBlockNumber(), { milliseconds: this.timeoutMs, what: "eth_blockNumber", signal: options?.signal });
    if (latest <= this.lastBlock) return;
    for (let from = this.lastBlock + 1; from <= latest; from += LOG_RANGE) {
      const to = Math.min(latest, from + LOG_RANGE - 1);
      for (const log of await this.reads.logs(from, to, options)) {
        const event = ringEventOf(log);
        if (event !== null) await this.apply(event, options);
      }
      this.lastBlock = to;
    }
  }

  /** Takes the event into the caches, then tells the listeners. */
  private async apply(event: RingEventRecord, options?: WaitOptions): Promise<void> {
    switch (event.type) {
      case "MemberEntered":
      case "MemberExited":
      case "ForkProven":
        this.keyBook?.invalidate();
        await this.refresh(options);
        break;
      case "BlsKeyRegistered":
      case "BlsKeyRemoved":
        this.keyBook?.invalidate();
        break;
      case "NodeInfoSet":
        this.nodeInfos.set(event.member, { multiaddr: event.multiaddr, peerId: event.peerId });
        break;
      case "LogHeadUpdated":
        this.heads.set(event.member, event.head);
        break;
      case "Flushed":
        this.currentRound = event.round;
        this.currentRingNodeHead = event.ringNodeHead;
        break;
    }
    this.safeDispatchEvent("ring:event", { detail: event });
  }

  private async refreshMember(member: string, options?: WaitOptions): Promise<void> {
    const key = checksumAddress(member);
    const [info, head] = await Promise.all([this.reads.nodeInfo(key, options), this.reads.logNodeHead(key, options)]);
    this.nodeInfos.set(key, { multiaddr: info.multiaddr, peerId: peerIdFromChainBytes(info.peerId) });
    this.heads.set(key, head);
  }
}
