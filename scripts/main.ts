/**
 * The main job: a local chain, the Rings contracts deployed with the deploy scripts, a ring of four
 * members, and rounds flushed on chain with the signatures of 2/3 of them.
 *
 *   npm start            keeps flushing a round every few seconds until Ctrl-C
 *   npm start -- --once  one round, prints the summary, exits 0 (non-zero on failure)
 */
import { Command } from "commander";
import { NonceManager, type Signer } from "ethers";
import { takeChainSnapshot } from "../node/src/dashboard/chainSnapshot.js";
import { startDashboard, type DashboardServer } from "../node/src/dashboard/server.js";
import { requiredVotes } from "../node/src/core/ringVotes.js";
import { deployRings } from "./devnet/deployRings.js";
import { createDemoRing, flushDemoRound, hardhatAccount, type DemoRing } from "./devnet/demoRing.js";
import { startLocalChain, type LocalChain } from "./devnet/localChain.js";

const RING_SIZE = 4;

const options = new Command()
  .name("npm start --")
  .description("Start a local chain, deploy Rings, create a ring of 4 and flush 2/3-signed rounds.")
  .option("--once", "run one round, print the summary and exit")
  .option("--port <port>", "port of the local chain on 127.0.0.1", (value) => Number.parseInt(value, 10), 8545)
  .option("--dashboard-port <port>", "port of the dashboard on 127.0.0.1", (value) => Number.parseInt(value, 10), 8700)
  .option("--interval <ms>", "time between rounds when running continuously", (value) => Number.parseInt(value, 10), 5_000)
  .parse()
  .opts<{ once?: boolean; port: number; dashboardPort: number; interval: number }>();

/** One round, printed: what was flushed, by whom, at what gas, and the heads now on chain. */
async function flushAndPrint(demo: DemoRing, chainId: bigint, gate: string, relayer: Signer): Promise<void> {
  const started = performance.now();
  const { round, ringNode, receipt, signers } = await flushDemoRound(demo, chainId, gate, relayer);
  const ms = (performance.now() - started).toFixed(0);
  console.log(`round ${round}: flushed by ${await relayer.getAddress()} with ${signers.length}/${demo.members.length} votes in tx ${receipt.hash} (gas ${receipt.gasUsed}, ${ms} ms)`);
  console.log(`  ring head  ${ringNode.cid.toString()} (${await demo.ring.ringNodeHead()})`);
  for (const m of demo.members) console.log(`  ${m.wallet.address} log head ${await demo.ring.logNodeHeads(m.wallet.address)}`);
}

async function main(): Promise<void> {
  let chain: LocalChain | undefined;
  let dashboard: DashboardServer | undefined;
  const shutdown = async () => {
    await dashboard?.close();
    await chain?.stop();
  };
  process.once("SIGINT", () => void shutdown().then(() => process.exit(0)));
  process.once("SIGTERM", () => void shutdown().then(() => process.exit(0)));
  try {
    chain = await startLocalChain({ port: options.port });
    const chainId = (await chain.provider.getNetwork()).chainId;
    console.log(`local chain ${chain.url} (chain id ${chainId})`);
    const addresses = await deployRings(chain.url, chainId);
    console.log(`deployed: factory ${addresses.factory}, forwarder ${addresses.forwarder}, scope ${addresses.scope}, gate ${addresses.gate}`);

    const engine = new NonceManager(hardhatAccount(0).connect(chain.provider));
    const wallets = Array.from({ length: RING_SIZE }, (_, i) => hardhatAccount(i + 1).connect(chain!.provider));
    const demo = await createDemoRing(addresses, engine, wallets);
    console.log(`ring ${demo.address} created by engine ${await engine.getAddress()} (gas ${demo.creationReceipt.gasUsed}); members:`);
    for (const m of await demo.ring.members()) console.log(`  ${m}`);
    console.log(`majority: ${requiredVotes(wallets.length)} of ${wallets.length} signatures`);

    const relayer = wallets[0] as Signer;
    await flushAndPrint(demo, chainId, addresses.gate, relayer);
    if (!options.once) {
      const provider = chain.provider;
      dashboard = await startDashboard(
        { state: async () => ({ chain: await takeChainSnapshot({ provider, factory: addresses.factory, gate: addresses.gate, forwarder: addresses.forwarder }) }) },
        { port: options.dashboardPort, onError: (error) => console.error(`dashboard: ${String(error)}`) },
      );
      console.log(`dashboard ${dashboard.url}`);
      console.log(`flushing a round every ${options.interval} ms; Ctrl-C stops`);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, options.interval));
        await flushAndPrint(demo, chainId, addresses.gate, relayer);
      }
    }
  } finally {
    await shutdown();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`main job failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
