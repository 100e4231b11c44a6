/**
 * The replication glue of a member node: every durable own append is announced to the ring, and
 * every member log head the chain records (at start and on `LogHeadUpdated`) is handed to
 * replication to fetch; membership changes and proven forks are logged. A BLS ring writes no
 * per-member heads on a flush (it stores the root of the ring log node's pairs): there, on every
 * `Flushed` the heads come from the flushed ring log node (`roundHeads`, verified against its root).
 */
import type { Startable } from "@libp2p/interface";
import type { CID } from "multiformats/cid";
import { getAddress } from "ethers";
import type { Logger } from "pino";
import type { RingChainView, RingEventRecord } from "../chain/ringChainView.js";
import { bytes32ToCid, cidOfBytes, cidToBytes32 } from "../core/cid.js";
import type { RingIdentity } from "../identity/identity.js";
import type { OwnLog } from "../log/ownLog.js";
import type { Replicator } from "../replication/replicator.js";
import { memberHeadsOf } from "../replica/ringHeads.js";
import { bitswapSource } from "../restore/blockSources.js";
import type { RingHelia } from "../p2p/createRingHelia.js";
import type { Libp2p } from "@libp2p/interface";

export interface HeadFollowerComponents {
  signer: Pick<RingIdentity, "address">;
  chain: Pick<RingChainView, "members" | "logNodeHead" | "onEvent">;
  ownLog: Pick<OwnLog, "onAppended">;
  replicator: Pick<Replicator, "announce" | "want" | "onReplicated">;
  logger: Logger;
  /** A BLS ring's: member -> head (bytes32) of the ring log node `ringNodeHead` names. */
  roundHeads?: (ringNodeHead: string) => Promise<Map<string, string>>;
}

export class HeadFollower implements Startable {
  private readonly unsubscribes: Array<() => void> = [];

  constructor(private readonly components: HeadFollowerComponents) {}

  start(): void {
    const { chain, ownLog, replicator, logger } = this.components;
    // The appended nodes go with the announcement (as many as fit): members holding the node before them need no fetch.
    this.unsubscribes.push(ownLog.onAppended((nodes, head) => void replicator.announce(head, nodes.at(-1)?.cid.equals(head.cid) === true ? nodes.map((node) => node.bytes) : [])));
    this.unsubscribes.push(replicator.onReplicated((head, count) => logger.debug({ author: head.author, seq: head.seq, count }, "log replicated")));
    this.unsubscribes.push(chain.onEvent((event) => this.onChainEvent(event)));
    for (const member of chain.members()) this.wantChainHead(member, chain.logNodeHead(member));
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  private onChainEvent(event: RingEventRecord): void {
    const { logger } = this.components;
    switch (event.type) {
      case "LogHeadUpdated":
        this.wantChainHead(event.member, event.head);
        break;
      case "Flushed":
        this.wantRoundHeads(event.ringNodeHead);
        break;
      case "ForkProven":
        logger.warn({ member: event.member, seq: event.seq.toString() }, "fork proven on chain");
        break;
      case "MemberEntered":
      case "MemberExited":
        logger.info({ member: event.member, event: event.type }, "membership changed");
        break;
      default:
        break;
    }
  }

  private wantRoundHeads(ringNodeHead: string): void {
    const { roundHeads, logger } = this.components;
    if (roundHeads === undefined) return;
    roundHeads(ringNodeHead).then(
      (heads) => {
        for (const [member, head] of heads) this.wantChainHead(member, head);
      },
      (error: unknown) => logger.warn({ err: error, ringNodeHead }, "the flushed ring log node's heads not read"),
    );
  }

  private wantChainHead(member: string, head: string): void {
    const cid = bytes32ToCid(head);
    if (cid !== null && getAddress(member) !== this.components.signer.address) this.components.replicator.want(member, cid, "chain");
  }
}

/**
 * A BLS ring's `roundHeads`: the member heads of the ring log node `ringNodeHead` names, from the
 * own store or the ring's peers over bitswap (bounded by `timeoutMs`), checked to be that block
 * and to carry the root of its own pairs (replica/ringHeads.ts), the root the flush stored.
 */
export function blsRoundHeads(ring: string, store: { readBytes(cid: CID): Promise<Uint8Array | null> }, helia: Pick<RingHelia, "blockstore"> & { libp2p: Libp2p }, timeoutMs = 10_000) {
  const bitswap = bitswapSource(helia, () => helia.libp2p.getPeers(), timeoutMs);
  return async (ringNodeHead: string): Promise<Map<string, string>> => {
    const cid = bytes32ToCid(ringNodeHead);
    if (cid === null) return new Map();
    const bytes = (await store.readBytes(cid)) ?? (await bitswap.get(cid, AbortSignal.timeout(timeoutMs)));
    if (bytes === null) throw new Error(`ring log node ${cid.toString()} is at no peer`);
    const heads = memberHeadsOf(ring, cid, bytes, await cidOfBytes(bytes));
    return new Map([...heads].map(([member, head]) => [member, cidToBytes32(head)] as const));
  };
}
