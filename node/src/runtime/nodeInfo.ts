/**
 * Publishes the node's first listen address and PeerId with `Ring.setNodeInfo` when the chain
 * holds something else, so the other members find it from the chain. A failure (an unfunded
 * account) is logged, not fatal: static `--peer` addresses still work.
 */
import type { Libp2p } from "@libp2p/interface";
import type { Logger } from "pino";
import type { RingChainView } from "../chain/ringChainView.js";
import { peerIdBytes, type RingIdentity } from "../identity/identity.js";

export interface NodeInfoComponents {
  signer: Pick<RingIdentity, "address" | "peerId" | "wallet">;
  chain: Pick<RingChainView, "nodeInfo" | "setNodeInfo" | "provider">;
  streams: Pick<Libp2p, "getMultiaddrs">;
  logger: Logger;
}

export async function publishNodeInfo({ signer, chain, streams, logger }: NodeInfoComponents): Promise<void> {
  const address = streams.getMultiaddrs()[0]?.toString();
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
