/**
 * A replica node publishes where it serves JSON-RPC on its ReplicaRing (`setEndpoint`), so client
 * rings' members find GetReplicaLog, ReplicateRing and FlushToRing from the chain
 * (chain/replicaEndpoints.ts) instead of being told the URL out of band: at start, when the chain
 * holds another URL (or none). The URL is `jsonrpc.publicUrl` when set (a node behind a proxy or
 * listening on 0.0.0.0), else the one it listens on. A failure (an unfunded account, a node that is
 * no member of the replica ring's Ring) is logged, not fatal: the URL in jsonrpc.json still works.
 */
import { Contract, type Provider, type Signer } from "ethers";
import type { Logger } from "pino";
import { checkedSend, ReplicaRingReads, replicaRingInterface } from "../chain/index.js";
import { CHAIN_WRITE_TIMEOUT_MS } from "../chain/wait.js";

export interface EndpointPublication {
  provider: Provider;
  /** The replica node's account, connected to `provider` (a member of the ReplicaRing's Ring). */
  wallet: Signer;
  self: string;
  replicaRing: string;
  url: string;
  logger: Pick<Logger, "info" | "warn">;
  signal: AbortSignal;
  timeoutMs?: number;
}

/** Publishes `url` unless the chain holds it already; resolves whether it is on chain now (never rejects). */
export async function publishEndpoint(publication: EndpointPublication): Promise<boolean> {
  const { provider, wallet, self, replicaRing, url, logger, signal } = publication;
  try {
    if ((await new ReplicaRingReads(replicaRing, provider).endpointOf(self, { signal })) === url) return true;
    const contract = new Contract(replicaRing, replicaRingInterface, wallet);
    const sent = await checkedSend(
      { contract, provider, name: "ReplicaRing", method: "setEndpoint", args: [url], event: "EndpointSet", timeoutMs: publication.timeoutMs ?? CHAIN_WRITE_TIMEOUT_MS },
      { signal },
    );
    logger.info({ replicaRing, url, tx: sent.transactionHash }, "JSON-RPC endpoint published on the replica ring");
    return true;
  } catch (error) {
    if (!signal.aborted) logger.warn({ err: error, replicaRing, url }, "could not publish the JSON-RPC endpoint on the replica ring (is the account funded and a member of its ring?)");
    return false;
  }
}
