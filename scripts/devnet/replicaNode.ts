/**
 * A replica node under test, in process but real: Helia on disk with libp2p over loopback TCP,
 * the node's own signed log (node/src/log), and the JSON-RPC service on a free HTTP port.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonRpcProvider } from "ethers";
import { ringDomain } from "../../node/src/core/eip712.js";
import type { RingIdentity } from "../../node/src/identity/identity.js";
import { OwnLog } from "../../node/src/log/ownLog.js";
import { LogStore } from "../../node/src/log/store.js";
import { silentLogger } from "../../node/src/logging.js";
import { createRingHelia, type RingHelia } from "../../node/src/p2p/createRingHelia.js";
import { RingsRpcClient } from "../../node/src/client/ringsRpcClient.js";
import { jsonRpcService, type RpcPluginSettings } from "../../node/src/rpc/jsonRpcService.js";
import type { RingRpcService } from "../../node/src/rpc/ringRpcService.js";

/** What a test sets; the rest is the service's defaults (any free port on 127.0.0.1). */
export type ReplicaNodeSettings = Partial<RpcPluginSettings> & { forwarder: string };

export interface ReplicaNodeUnderTest {
  identity: RingIdentity;
  dataDir: string;
  helia: RingHelia;
  store: LogStore;
  ownLog: OwnLog;
  rpc: RingRpcService;
  url: string;
  client: RingsRpcClient;
  /** Every payload of this node's own log, oldest first. */
  ownPayloads(): Promise<unknown[]>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startReplicaNode(options: {
  identity: RingIdentity;
  provider: JsonRpcProvider;
  chainId: bigint;
  /** The Ring whose member this node is (the replica ring's Ring): its own log lives there. */
  ownRing: string;
  settings: ReplicaNodeSettings;
  dataDir?: string;
}): Promise<ReplicaNodeUnderTest> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "rings-rpc-replica-")));
  const { helia, blockstore, datastore } = await createRingHelia({ dataDir, privateKey: options.identity.libp2pKey, listen: ["/ip4/127.0.0.1/tcp/0"] });
  const store = await LogStore.open(dataDir, blockstore, datastore);
  const ownLog = new OwnLog(store, options.identity, ringDomain(options.chainId, options.ownRing));
  const service = jsonRpcService({ enabled: true, host: "127.0.0.1", port: 0, maxBodyBytes: undefined, relayWaitMs: 20_000, replicaRing: undefined, publicUrl: undefined, followIntervalMs: 300, ...options.settings })({
    config: { dataDir, fetchTimeoutMs: 10_000 },
    logger: silentLogger(),
    signer: options.identity,
    chain: { provider: options.provider, ring: options.ownRing },
    helia,
    blocks: blockstore,
    ownLog,
  });
  await service.start();
  const rpc = service.rpc as RingRpcService;
  const url = service.url;
  return {
    identity: options.identity,
    dataDir,
    helia,
    store,
    ownLog,
    rpc,
    url,
    client: new RingsRpcClient(url, { timeoutMs: 60_000 }),
    async ownPayloads() {
      const payloads: unknown[] = [];
      const length = store.length(options.identity.address);
      for (let seq = 0; seq < length; seq++) payloads.push((await store.nodeAt(options.identity.address, seq))?.node.payload);
      return payloads;
    },
    async stop(stopOptions = {}) {
      await service.stop();
      await helia.stop();
      await store.close();
      if (stopOptions.keepData !== true) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
