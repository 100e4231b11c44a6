/**
 * The main job: a local chain, the Rings contracts deployed with the deploy scripts, a ring of four
 * members, and rounds flushed on chain with the signatures of 2/3 of them.
 *
 *   npm start            keeps flushing a round every few seconds until Ctrl-C
 *   npm start -- --once  one round, prints the summary, exits 0 (non-zero on failure)
 */
import { Command } from "commander";
import { HDNodeWallet, Mnemonic, NonceManager, type Signer } from "ethers";
import { Gate__factory, Ring__factory, RingFactory__factory, type Ring } from "../types/index.js";
import { cidToBytes32, ZERO_BYTES32 } from "../node/src/core/cid.js";
import { ringDomain, type Outputs } from "../node/src/core/eip712.js";
import { signLogNode } from "../node/src/core/logNode.js";
import { encodeRingLogNode } from "../node/src/core/ringLogNode.js";
import { flushArgs, requiredVotes, signVote, voteMessage } from "../node/src/core/ringVotes.js";
import { deployRings } from "./devnet/deployRings.js";
import { HARDHAT_MNEMONIC, startLocalChain, type LocalChain } from "./devnet/localChain.js";

const RING_SIZE = 4;
const OUTPUT_PIN = 1n;

const options = new Command()
  .name("npm start --")
  .description("Start a local chain, deploy Rings, create a ring of 4 and flush 2/3-signed rounds.")
  .option("--once", "run one round, print the summary and exit")
  .option("--port <port>", "port of the local chain on 127.0.0.1", (value) => Number.parseInt(value, 10), 8545)
  .option("--interval <ms>", "time between rounds when running continuously", (value) => Number.parseInt(value, 10), 5_000)
  .parse()
  .opts<{ once?: boolean; port: number; interval: number }>();

function account(index: number): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`);
}

interface Member {
  wallet: HDNodeWallet;
  seq: number;
  head: string;
}

/** One round: every member appends a signed log node, 2/3 of them vote, the relayer flushes. */
async function flushRound(ring: Ring, members: Member[], chainId: bigint, gate: string, relayer: Signer): Promise<void> {
  const ringAddress = await ring.getAddress();
  const domain = ringDomain(chainId, ringAddress);
  const round = (await ring.round()) + 1n;
  for (const member of members) {
    const node = await signLogNode(
      { v: 1, ring: ringAddress, author: member.wallet.address, seq: member.seq, prev: [], payload: { round: Number(round), note: "hello from the main job" } },
      member.wallet,
      domain,
    );
    member.seq += 1;
    member.head = cidToBytes32(node.cid);
  }
  const ringNode = await encodeRingLogNode({
    ring: ringAddress,
    round,
    prevHead: await ring.ringNodeHead(),
    memberHeads: Object.fromEntries(members.map((m) => [m.wallet.address, m.head])),
    outputs: { gate, pins: [], cids: [] },
  });
  const outputs: Outputs = { gate, pins: [OUTPUT_PIN], cids: [ringNode.head] };
  const signers = members.slice(0, requiredVotes(members.length));
  const votes = await Promise.all(signers.map((m) => signVote(m.wallet, domain, voteMessage(round, ringNode.head, outputs, m.head))));
  const started = performance.now();
  const tx = await ring.connect(relayer).flush(...flushArgs({ round, ringNodeHead: ringNode.head, outputs, votes }));
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`flush of round ${round} failed`);
  const ms = (performance.now() - started).toFixed(0);
  console.log(`round ${round}: flushed by ${await relayer.getAddress()} with ${votes.length}/${members.length} votes in tx ${receipt.hash} (gas ${receipt.gasUsed}, ${ms} ms)`);
  console.log(`  ring head  ${ringNode.cid.toString()} (${await ring.ringNodeHead()})`);
  for (const m of members) console.log(`  ${m.wallet.address} log head ${await ring.logNodeHeads(m.wallet.address)}`);
}

async function main(): Promise<void> {
  let chain: LocalChain | undefined;
  const shutdown = async () => {
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

    const engine = new NonceManager(account(0).connect(chain.provider));
    const members: Member[] = Array.from({ length: RING_SIZE }, (_, i) => ({ wallet: account(i + 1).connect(chain!.provider), seq: 0, head: ZERO_BYTES32 }));
    const factory = RingFactory__factory.connect(addresses.factory, engine);
    const created = await (await factory.createRing(members.map((m) => m.wallet.address), await engine.getAddress())).wait();
    const ringAddress = (await factory.rings()).at(-1) as string;
    const ring = Ring__factory.connect(ringAddress, engine);
    await (await Gate__factory.connect(addresses.gate, engine).setAuthorized(ringAddress, true)).wait();
    console.log(`ring ${ringAddress} created by engine ${await engine.getAddress()} (gas ${created?.gasUsed}); members:`);
    for (const m of await ring.members()) console.log(`  ${m}`);
    console.log(`majority: ${requiredVotes(members.length)} of ${members.length} signatures`);

    const relayer = members[0]!.wallet;
    await flushRound(ring, members, chainId, addresses.gate, relayer);
    if (!options.once) {
      console.log(`flushing a round every ${options.interval} ms; Ctrl-C stops`);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, options.interval));
        await flushRound(ring, members, chainId, addresses.gate, relayer);
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
