/**
 * The main job: a local chain, the Rings contracts deployed with the deploy scripts, a ring of four
 * `ring-node` processes and a replica ring of three, the ring registered with the replica ring
 * (ReplicateRing), a real map-reduce job (word count over the shipped corpus) computed by the ring
 * and finalised on chain with 2/3 votes, and the live dashboard.
 *
 *   npm start            keeps everything running with the dashboard until Ctrl-C
 *   npm start -- --once  one job, prints the summary, stops everything, exits 0 (non-zero on failure)
 *
 * Data directories (avatar keys, logs) are kept in `.data/main` for the next start.
 */
import { Command } from "commander";
import { formatEther, NonceManager, parseEther } from "ethers";
import { readRingsAddresses } from "../deploy/addresses.js";
import { takeChainSnapshot, type SnapshotSource } from "../node/src/dashboard/chainSnapshot.js";
import { collectExplorer } from "../node/src/dashboard/explorerData.js";
import { startDashboard, type DashboardServer } from "../node/src/dashboard/server.js";
import { requiredVotes } from "../node/src/core/ringVotes.js";
import { DEMO_APP, postDemoMessages } from "./devnet/demoMessages.js";
import { deployRings } from "./devnet/deployRings.js";
import { explorerNode } from "./devnet/explorerNodes.js";
import { hardhatAccount, startHardhatNode, type HardhatNode } from "./devnet/hardhatNode.js";
import { LiveRings, type LiveNode } from "./devnet/liveRings.js";
import { openServed, waitReplicasHoldRing } from "./devnet/replicaHoldings.js";
import { stopOwnedChildren } from "./devnet/processes.js";

const options = new Command()
  .name("npm start --")
  .description("Start a local chain, deploy Rings, run a ring of 4 and a replica ring of 3 ring-node processes, and compute a map-reduce job.")
  .option("--once", "run one job, print the summary and exit")
  .option("--port <port>", "port of the local chain on 127.0.0.1", (value) => Number.parseInt(value, 10), 8545)
  .option("--dashboard-port <port>", "port of the dashboard on 127.0.0.1", (value) => Number.parseInt(value, 10), 8700)
  .option("--data-dir <dir>", "where the nodes' data directories are kept", ".data/main")
  .parse()
  .opts<{ once?: boolean; port: number; dashboardPort: number; dataDir: string }>();

const step = (message: string) => console.log(`\n== ${message}`);

async function main(): Promise<void> {
  let chain: HardhatNode | undefined;
  let dashboard: DashboardServer | undefined;
  let rings: LiveRings | undefined;
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await dashboard?.close();
    await rings?.stop();
    await chain?.stop();
    // A signal during start-up finds processes that `chain` or `rings` do not hold yet.
    await stopOwnedChildren();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the ring nodes, the dashboard and the chain…`);
      // Ctrl-C is how the live ring ends (exit 0); a --once run it cuts short did not finish (128 + signal).
      const code = options.once ? 128 + (signal === "SIGINT" ? 2 : 15) : 0;
      void shutdown().then(() => process.exit(code));
    });
  }
  try {
    step("local chain");
    chain = await startHardhatNode({ port: options.port });
    const chainId = (await chain.provider.getNetwork()).chainId;
    console.log(`hardhat node ${chain.url} (chain id ${chainId})`);

    step("deploy (deploy/modules/Rings.ts)");
    await deployRings(chain.url, chainId);
    const addresses = await readRingsAddresses(chainId);
    console.log(`factory ${addresses.factory}\nforwarder ${addresses.forwarder}\nscope ${addresses.scope}\ngate ${addresses.gate}`);

    step("rings and ring-node processes");
    const engine = new NonceManager(hardhatAccount(0).connect(chain.provider));
    rings = await LiveRings.start({ chain, addresses, engine, dataDir: options.dataDir, ringSize: 4, replicaSize: 3, fee: parseEther("0.01") });
    const describe = (node: LiveNode) => `  ${node.name.padEnd(10)} ${node.address}  ${node.process.info.peerId}  pid ${node.process.child.pid}`;
    console.log(`ring ${rings.ring} (majority ${requiredVotes(rings.ringNodes.length)} of ${rings.ringNodes.length}):`);
    for (const node of rings.ringNodes) console.log(describe(node));
    console.log(`replica ring ${rings.replicaRingRing} (ReplicaRing ${rings.replicaRing}, fee ${formatEther(rings.fee)} ETH):`);
    for (const node of rings.replicaNodes) console.log(describe(node));

    if (!options.once) {
      const provider = chain.provider;
      const live = rings;
      const snapshot: SnapshotSource = { provider, factory: addresses.factory, gate: addresses.gate, forwarder: addresses.forwarder, ...(addresses.jobQueue === undefined ? {} : { jobQueue: addresses.jobQueue }) };
      const explorerNodes = [...live.ringNodes, ...live.replicaNodes].map(explorerNode);
      dashboard = await startDashboard(
        {
          state: async () => ({ chain: await takeChainSnapshot(snapshot), nodes: live.nodeViews(), jobs: live.jobViews() }),
          explorer: async (app) => collectExplorer({ ring: live.ring, chain: await takeChainSnapshot({ ...snapshot, roundsShown: 50 }), nodes: explorerNodes, app }),
        },
        { port: options.dashboardPort, onError: (error) => console.error(`dashboard: ${String(error)}`) },
      );
      console.log(`\ndashboard ${dashboard.url}`);
    }

    step("ReplicateRing: register the ring with the replica ring");
    const registration = await rings.replicateRing();
    console.log(`registered through ${registration.via}: tx ${registration.tx}`);

    step("FlushToRing: a light client's log head relayed by a replica node");
    const flushed = await rings.flushFromLightClient("hello from a light client");
    console.log(`avatar ${flushed.avatar} of client ring ${flushed.ring}: ${flushed.state}, tx ${flushed.tx}, head ${flushed.head}`);

    step("map-reduce job: word count over examples/data/corpus, submitted with ring-node submit");
    const result = await rings.submitWordCount();
    const receipt = result.tx === null ? null : await chain.provider.getTransactionReceipt(result.tx);
    step("finalised");
    console.log(`job        ${result.job}`);
    console.log(`round      ${result.round}`);
    console.log(`tx         ${result.tx} (gas ${receipt?.gasUsed ?? "?"})`);
    console.log(`ring head  ${result.ringNodeHead}`);
    console.log(`output     ${result.outputCid}`);
    console.log(`top words  ${result.summary}`);
    console.log("member heads on chain:");
    for (const [member, head] of await rings.memberHeads()) console.log(`  ${member} ${head}`);

    step(`messages: each member posts one to the "${DEMO_APP}" app (PostMessage); a round makes them final`);
    const texts = ["hello from member-0", "member-1 agrees", "member-2 was here", "member-3 signs off"];
    for (const message of await postDemoMessages(rings.ringNodes, texts)) console.log(`message round ${message.round} ${message.author} #${message.seq}: ${JSON.stringify(message.payload)}`);

    step("replicas: every replica node serves every member's log up to its on-chain head (GetReplicaLog, read as member-0)");
    const members = rings.ringNodes.map((node) => node.address);
    const replicas = await Promise.all(rings.replicaNodes.map(async (node) => ({ name: node.name, rpcUrl: await (rings as LiveRings).rpcUrl(node) })));
    const holdings = await waitReplicasHoldRing({ provider: chain.provider, ring: rings.ring, members, reader: await rings.memberSigner(0) }, replicas);
    for (const held of holdings) console.log(`${held.replica.padEnd(10)} holds ${members.length} member logs (${held.nodes.length} nodes) up to their on-chain heads after ${held.seconds.toFixed(1)} s`);
    const [first] = holdings;
    const reader = rings.ringNodes[0] as LiveNode;
    if (first !== undefined) {
      const opened = await openServed(first.nodes, rings.ring, reader.dataDir);
      console.log(`${reader.name} opens ${opened.opened}/${opened.sealed} sealed payloads ${first.replica} serves; in the clear: ${opened.clearByDesign} key blocks, key requests and membership votes (by design), ${opened.plaintext} other`);
    }

    if (options.once) return;
    console.log(`\nthe ring keeps running; dashboard ${dashboard?.url ?? ""} (explorer ${dashboard?.url ?? ""}explorer) — Ctrl-C stops everything`);
    await new Promise(() => undefined);
  } finally {
    await shutdown();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`main job failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
