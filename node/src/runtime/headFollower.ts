/**
 * The replication glue of a member node: every durable own append is announced to the ring, and
 * every member log head the chain records (at start and on `LogHeadUpdated`) is handed to
 * replication to fetch; membership changes and proven forks are logged.
 */
import type { Startable } from "@libp2p/interface";
import { getAddress } from "ethers";
import type { Logger } from "pino";
import type { RingChainView, RingEventRecord } from "../chain/ringChainView.js";
import { bytes32ToCid } from "../core/cid.js";
import type { RingIdentity } from "../identity/identity.js";
import type { OwnLog } from "../log/ownLog.js";
import type { Replicator } from "../replication/replicator.js";

export interface HeadFollowerComponents {
  signer: Pick<RingIdentity, "address">;
  chain: Pick<RingChainView, "members" | "logNodeHead" | "onEvent">;
  ownLog: Pick<OwnLog, "onAppended">;
  replicator: Pick<Replicator, "announce" | "want" | "onReplicated">;
  logger: Logger;
}

export class HeadFollower implements Startable {
  private readonly unsubscribes: Array<() => void> = [];

  constructor(private readonly components: HeadFollowerComponents) {}

  start(): void {
    const { chain, ownLog, replicator, logger } = this.components;
    this.unsubscribes.push(ownLog.onAppended((_nodes, head) => void replicator.announce(head)));
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

  private wantChainHead(member: string, head: string): void {
    const cid = bytes32ToCid(head);
    if (cid !== null && getAddress(member) !== this.components.signer.address) this.components.replicator.want(member, cid, "chain");
  }
}
