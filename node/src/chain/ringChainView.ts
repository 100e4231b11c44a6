/**
 * Follows one Ring contract over an ethers JSON-RPC provider (hardhat node or any EVM endpoint):
 * members, their node info (multiaddr, PeerId), log heads, the ring head and round, and the
 * contract's events as they are mined. Reads are cached and refreshed by polling; every call is
 * bounded by a timeout.
 */
import { peerIdFromMultihash } from "@libp2p/peer-id";
import { Contract, hexlify, JsonRpcProvider, type Signer, type TypedDataDomain, type Log } from "ethers";
import * as Digest from "multiformats/hashes/digest";
import type { Logger } from "pino";
import { ZERO_BYTES32 } from "../core/cid.js";
import { ringDomain } from "../core/eip712.js";
import { checksumAddress } from "../core/secp256k1.js";
import type { Membership } from "./membership.js";
import { ringViewInterface, RING_VIEW_ABI } from "./ringAbi.js";

export class ChainUnreachableError extends Error {
  override name = "ChainUnreachableError";
}
export class NotARingError extends Error {
  override name = "NotARingError";
}
export class ChainTimeoutError extends Error {
  override name = "ChainTimeoutError";
}

export interface NodeInfo {
  multiaddr: string;
  /** PeerId string, or null when the member has not published one (or it does not decode). */
  peerId: string | null;
}

export type RingEvent =
  | { type: "MemberEntered"; member: string }
  | { type: "MemberExited"; member: string }
  | { type: "NodeInfoSet"; member: string; multiaddr: string; peerId: string | null }
  | { type: "LogHeadUpdated"; member: string; head: string }
  | { type: "Flushed"; round: bigint; ringNodeHead: string; outputsHash: string; relayer: string }
  | { type: "ForkProven"; member: string; seq: bigint; digestA: string; digestB: string };

export type RingEventRecord = RingEvent & { blockNumber: number; transactionHash: string };

export type RingEventListener = (event: RingEventRecord) => void;

export interface RingChainViewOptions {
  rpcUrl: string;
  ring: string;
  pollMs?: number;
  /** Bound on every JSON-RPC call. */
  timeoutMs?: number;
  logger?: Logger;
}

/** Blocks per eth_getLogs request (public endpoints cap ranges). */
const LOG_RANGE = 2_000;

function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ChainTimeoutError(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** A PeerId published on chain (multihash bytes) as its string form, or null. */
export function peerIdFromChainBytes(bytes: string | Uint8Array): string | null {
  const hex = typeof bytes === "string" ? bytes : hexlify(bytes);
  if (hex === "0x") return null;
  try {
    return peerIdFromMultihash(Digest.decode(Buffer.from(hex.slice(2), "hex"))).toString();
  } catch {
    return null;
  }
}

export class RingChainView implements Membership {
  readonly ring: string;
  readonly domain: TypedDataDomain;
  private memberList: string[] = [];
  private memberSet = new Set<string>();
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private readonly heads = new Map<string, string>();
  private currentRound = 0n;
  private currentRingNodeHead = ZERO_BYTES32;
  private lastBlock = -1;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly listeners = new Set<RingEventListener>();
  private readonly contract: Contract;

  private constructor(
    readonly provider: JsonRpcProvider,
    ring: string,
    readonly chainId: bigint,
    private readonly pollMs: number,
    private readonly timeoutMs: number,
    private readonly logger: Logger | undefined,
  ) {
    this.ring = checksumAddress(ring);
    this.domain = ringDomain(chainId, this.ring);
    this.contract = new Contract(this.ring, RING_VIEW_ABI, provider);
  }

  /** Connects, checks that `ring` is a Ring contract, and loads members, node info and heads. */
  static async connect(options: RingChainViewOptions): Promise<RingChainView> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const pollMs = options.pollMs ?? 1_000;
    const provider = new JsonRpcProvider(options.rpcUrl, undefined, { staticNetwork: true, pollingInterval: pollMs, cacheTimeout: -1 });
    let chainId: bigint;
    try {
      chainId = BigInt(await withTimeout(provider.send("eth_chainId", []) as Promise<string>, timeoutMs, "eth_chainId"));
    } catch (error) {
      provider.destroy();
      throw new ChainUnreachableError(`chain at ${options.rpcUrl} is unreachable: ${(error as Error).message}`);
    }
    const view = new RingChainView(provider, options.ring, chainId, pollMs, timeoutMs, options.logger);
    try {
      const code = await withTimeout(provider.getCode(view.ring), timeoutMs, "eth_getCode");
      if (code === "0x") throw new NotARingError(`no contract at ${view.ring} on chain ${chainId}`);
      view.lastBlock = await withTimeout(provider.getBlockNumber(), timeoutMs, "eth_blockNumber");
      await view.refresh();
    } catch (error) {
      provider.destroy();
      if (error instanceof NotARingError || error instanceof ChainTimeoutError) throw error;
      throw new NotARingError(`${view.ring} on chain ${chainId} does not answer as a Ring: ${(error as Error).message}`);
    }
    return view;
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

  /** Reads everything again from the chain. */
  async refresh(): Promise<void> {
    const members = ((await this.call<string[]>("members")) ?? []).map((m) => checksumAddress(m));
    this.memberList = members;
    this.memberSet = new Set(members);
    await Promise.all(members.map((member) => this.refreshMember(member)));
    this.currentRound = BigInt(await this.call<bigint>("round"));
    this.currentRingNodeHead = await this.call<string>("ringNodeHead");
  }

  /** Starts polling for new blocks and events. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.polling !== undefined) return;
      this.polling = this.poll()
        .catch((error: unknown) => this.logger?.warn({ err: error }, "chain poll failed"))
        .finally(() => (this.polling = undefined));
    }, this.pollMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    this.provider.destroy();
  }

  onEvent(listener: RingEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes this member's multiaddr and PeerId (multihash bytes); resolves when mined. */
  async setNodeInfo(signer: Signer, multiaddr: string, peerId: Uint8Array): Promise<string> {
    const contract = new Contract(this.ring, RING_VIEW_ABI, signer);
    const setNodeInfo = contract.getFunction("setNodeInfo");
    const tx = (await withTimeout(setNodeInfo(multiaddr, peerId) as Promise<{ hash: string; wait(): Promise<unknown> }>, this.timeoutMs, "setNodeInfo"));
    await withTimeout(tx.wait(), this.timeoutMs * 6, "setNodeInfo receipt");
    await this.refreshMember(await signer.getAddress());
    return tx.hash;
  }

  /** One poll: new events since the last block seen, applied to the caches and passed to listeners. */
  async poll(): Promise<void> {
    const latest = await withTimeout(this.provider.getBlockNumber(), this.timeoutMs, "eth_blockNumber");
    if (latest <= this.lastBlock) return;
    for (let from = this.lastBlock + 1; from <= latest; from += LOG_RANGE) {
      const to = Math.min(latest, from + LOG_RANGE - 1);
      const logs = await withTimeout(this.provider.getLogs({ address: this.ring, fromBlock: from, toBlock: to }), this.timeoutMs, "eth_getLogs");
      for (const log of logs) await this.apply(log);
      this.lastBlock = to;
    }
  }

  private async apply(log: Log): Promise<void> {
    const parsed = ringViewInterface.parseLog(log);
    if (parsed === null) return;
    const args = parsed.args;
    let event: RingEvent;
    switch (parsed.name) {
      case "MemberEntered":
      case "MemberExited":
        event = { type: parsed.name, member: checksumAddress(args.member as string) };
        await this.refresh();
        break;
      case "NodeInfoSet": {
        const member = checksumAddress(args.member as string);
        const info = { multiaddr: args.multiaddr as string, peerId: peerIdFromChainBytes(args.peerId as string) };
        this.nodeInfos.set(member, info);
        event = { type: "NodeInfoSet", member, ...info };
        break;
      }
      case "LogHeadUpdated": {
        const member = checksumAddress(args.member as string);
        this.heads.set(member, args.head as string);
        event = { type: "LogHeadUpdated", member, head: args.head as string };
        break;
      }
      case "Flushed":
        this.currentRound = args.round as bigint;
        this.currentRingNodeHead = args.ringNodeHead as string;
        event = { type: "Flushed", round: args.round as bigint, ringNodeHead: args.ringNodeHead as string, outputsHash: args.outputsHash as string, relayer: checksumAddress(args.relayer as string) };
        break;
      case "ForkProven":
        event = { type: "ForkProven", member: checksumAddress(args.member as string), seq: args.seq as bigint, digestA: args.digestA as string, digestB: args.digestB as string };
        await this.refresh();
        break;
      default:
        return;
    }
    const record = { ...event, blockNumber: log.blockNumber, transactionHash: log.transactionHash };
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (error) {
        this.logger?.warn({ err: error }, "chain event listener failed");
      }
    }
  }

  private async refreshMember(member: string): Promise<void> {
    const key = checksumAddress(member);
    const [info, head] = await Promise.all([this.call<[string, string]>("nodeInfo", key), this.call<string>("logNodeHeads", key)]);
    this.nodeInfos.set(key, { multiaddr: info[0], peerId: peerIdFromChainBytes(info[1]) });
    this.heads.set(key, head);
  }

  private call<T>(name: string, ...args: unknown[]): Promise<T> {
    return withTimeout(this.contract.getFunction(name).staticCall(...args) as Promise<T>, this.timeoutMs, `Ring.${name}`);
  }
}
