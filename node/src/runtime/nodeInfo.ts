/**
 * Publishes the node's address and PeerId with `Ring.setNodeInfo` whenever the chain holds
 * something else, so the other members find it from the chain: at start, and again when libp2p's
 * own addresses change (a relayed address appears once a relay reservation is made, and changes
 * when the relay goes and another is reserved). A direct address is preferred over a relayed one.
 * A failure (an unfunded account) is logged, not fatal: static `--peer` addresses still work.
 */
import type { Libp2p } from "@libp2p/interface";
import type { Multiaddr } from "@multiformats/multiaddr";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import { peerIdBytes, type RingIdentity } from "../identity/identity.js";

export interface NodeInfoComponents {
  signer: Pick<RingIdentity, "address" | "peerId" | "wallet">;
  chain: Pick<RingChainView, "nodeInfo" | "setNodeInfo" | "provider">;
  streams: Pick<Libp2p, "getMultiaddrs" | "addEventListener" | "removeEventListener">;
  logger: Logger;
}

const CIRCUIT = "/p2p-circuit";

/** The address to publish: the first direct one, else the first relayed one. */
export function publishedAddress(addresses: readonly Multiaddr[]): string | undefined {
  const texts = addresses.map((ma) => ma.toString());
  return texts.find((text) => !text.includes(CIRCUIT)) ?? texts[0];
}

export class NodeInfoPublisher {
  private tail: Promise<void> = Promise.resolve();
  private readonly onUpdate = () => this.publishSoon();

  constructor(private readonly components: NodeInfoComponents) {}

  start(): void {
    this.components.streams.addEventListener("self:peer:update", this.onUpdate);
    this.publishSoon();
  }

  stop(): Promise<void> {
    this.components.streams.removeEventListener("self:peer:update", this.onUpdate);
    return this.tail;
  }

  /** One publication at a time, each reading the addresses as they are when it runs. */
  private publishSoon(): void {
    this.tail = this.tail.then(() => this.publish());
  }

  private async publish(): Promise<void> {
    const { signer, chain, streams, logger } = this.components;
    const address = publishedAddress(streams.getMultiaddrs());
    if (address === undefined) return;
    const current = chain.nodeInfo(signer.address);
    if (current?.multiaddr === address && current.peerId === signer.peerId.toString()) return;
    try {
      const hash = await chain.setNodeInfo(signer.wallet.connect(chain.provider), address, peerIdBytes(signer.peerId));
      logger.info({ multiaddr: address, tx: hash }, "node info published on chain");
    } catch (error) {
      logger.warn({ err: error }, "could not publish node info on chain (is the member's account funded?)");
    }
  }
}
