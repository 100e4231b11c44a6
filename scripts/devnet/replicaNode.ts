/**
 * A replica node under test, in process but real: Helia on disk with libp2p over loopback TCP,
 * the node's own signed log (node/src/log), and the JSON-RPC service on a free HTTP port.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Provider } from "ethers";
import { ringDomain } from "../../node/src/core/eip712.js";
import type { RingIdentity } from "../../node/src/identity/identity.js";
import { OwnLog } from "../../node/src/log/ownLog.js";
import { LogStore } from "../../node/src/log/store.js";
import { createRingHelia, type RingHelia } from "../../node/src/p2p/createRingHelia.js";
import { RingsRpcClient } from "../../node/src/client/ringsRpcClient.js";
import { createNodeRpc, type NodeRpcSettings } from "../../node/src/rpc/nodeRpc.js";
import type { RingRpcService } from "../../node/src/rpc/ringRpcServer.js";

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
  provider: Provider;
  chainId: bigint;
  /** The Ring whose member this node is (the replica ring's Ring): its own log lives there. */
  ownRing: string;
  settings: NodeRpcSettings;
  dataDir?: string;
}): Promise<ReplicaNodeUnderTest> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "rings-rpc-replica-")));
  const { helia, blockstore, datastore } = await createRingHelia({ dataDir, privateKey: options.identity.libp2pKey, listen: ["/ip4/127.0.0.1/tcp/0"] });
  const store = await LogStore.open(dataDir, blockstore, datastore);
  const ownLog = new OwnLog(store, options.identity, ringDomain(options.chainId, options.ownRing));
  const rpc = createNodeRpc({ identity: options.identity, provider: options.provider, ownLog, blockstore, datastore, helia, dataDir }, { relayWaitMs: 20_000, followIntervalMs: 300, ...options.settings });
  const url = await rpc.start();
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
      await rpc.close();
      await helia.stop();
      await store.close();
      if (stopOptions.keepData !== true) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
