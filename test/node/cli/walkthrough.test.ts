/**
 * The README's "Run a ring on a public testnet" walkthrough, run as written: its marked shell block,
 * read from README.md, step by step in one bash session against a local `hardhat node` (its URL and
 * funded dev keys as the walkthrough's variables, `ring-node` on PATH as this repository's bin), each
 * step's outcome checked on chain. A change of the commands that breaks the walkthrough fails here.
 */
import { readFile, rm, writeFile, chmod } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { formatEther, getAddress } from "ethers";
import { ReplicaRing__factory, Ring__factory, RingFactory__factory } from "../../../types/index.js";
import { DEFAULT_DEPLOYMENTS_DIR } from "../../../node/src/chain/deployment.js";
import { hardhatAccount, startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { REPO_ROOT } from "../../../scripts/devnet/paths.js";
import { nodeEnv, RING_NODE_BIN } from "../../../scripts/devnet/ringNodeProcess.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";
import { ShellSession, walkthroughSteps, type WalkthroughStep } from "./walkthroughShell.js";

const dirs = tempDirs("rings-walkthrough");
/** The dev accounts standing in for the testnet keys the walkthrough names. */
const KEYS = { DEPLOYER_KEY: 0, KEY_1: 1, KEY_2: 2, KEY_3: 3, REPLICA_KEY: 4, CANDIDATE_KEY: 5 } as const;

describe("the README's public-testnet walkthrough, run against a local hardhat node", function () {
  this.timeout(600_000);
  let chain: HardhatNode;
  let shell: ShellSession;
  let steps: WalkthroughStep[];
  let deploymentId: string;
  const step = async (number: number, timeoutMs = 120_000) => {
    const found = steps.find((s) => s.number === number);
    if (found === undefined) throw new Error(`the walkthrough has no step ${number}`);
    return shell.run(found.script, timeoutMs);
  };

  before(async function () {
    steps = walkthroughSteps(await readFile(join(REPO_ROOT, "README.md"), "utf8"));
    chain = await startHardhatNode();
    const data = await dirs.make("data");
    const bin = await dirs.make("bin");
    // `ring-node` as an installed command: this repository's bin under the Node.js running the test.
    await writeFile(join(bin, "ring-node"), `#!/bin/sh\nexec "${process.execPath}" "${RING_NODE_BIN}" "$@"\n`);
    await chmod(join(bin, "ring-node"), 0o755);
    deploymentId = `walkthrough-${process.pid}-${randomBytes(4).toString("hex")}`;
    const keys = Object.fromEntries(Object.entries(KEYS).map(([name, index]) => [name, hardhatAccount(index).privateKey]));
    const scratch = await dirs.make("scripts");
    shell = new ShellSession(REPO_ROOT, {
      ...nodeEnv(),
      ...keys,
      RPC_URL: chain.url,
      DATA: data,
      DEPLOYMENT_ID: deploymentId,
      // `hardhat ignition deploy` builds under the production profile (isolated builds, for block
      // explorers' verification: minutes of solc here). Its compiler settings are the default
      // profile's (hardhat.config.ts), which the test run has just built, so the same bytecode.
      HARDHAT_BUILD_PROFILE: "default",
      PATH: `${bin}:${dirname(process.execPath)}:${join(REPO_ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
    }, scratch);
  });

  after(async function () {
    await shell?.stop();
    await chain?.stop();
    if (deploymentId !== undefined) await rm(join(DEFAULT_DEPLOYMENTS_DIR, deploymentId), { recursive: true, force: true });
    await dirs.cleanup();
  });

  it("has numbered steps in its marked block", function () {
    expect(steps.map((s) => s.number)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });

  it("1. deploys the contracts with Ignition and points ring-node at the recorded factory", async function () {
    await step(1);
    const factory = await shell.variable("RING_NODE_FACTORY");
    const recorded = JSON.parse(await readFile(join(DEFAULT_DEPLOYMENTS_DIR, deploymentId, "deployed_addresses.json"), "utf8")) as Record<string, string>;
    expect(getAddress(factory)).to.equal(getAddress(recorded["Rings#RingFactory"] as string));
    expect(await RingFactory__factory.connect(factory, chain.provider).ringImplementation()).to.equal(getAddress(recorded["Rings#Ring"] as string));
  });

  it("2. makes each member's keystore from its key", async function () {
    await step(2);
    for (const [variable, key] of [["M1", "KEY_1"], ["M2", "KEY_2"], ["M3", "KEY_3"], ["R1", "REPLICA_KEY"]] as const) {
      expect(await shell.variable(variable)).to.equal(hardhatAccount(KEYS[key]).address);
    }
  });

  it("3. creates the ring of the three members (not public) and the replica ring charging 0.001 ETH", async function () {
    await step(3);
    const factory = RingFactory__factory.connect(await shell.variable("RING_NODE_FACTORY"), chain.provider);
    const ring = await shell.variable("RING");
    expect(await Ring__factory.connect(ring, chain.provider).members()).to.deep.equal([1, 2, 3].map((i) => hardhatAccount(i).address));
    expect(await factory.isPublic(ring)).to.equal(false);
    const replicaRing = await shell.variable("REPLICA_RING");
    expect(await factory.replicaRingOf(await shell.variable("REPLICA_MEMBERS"))).to.equal(replicaRing);
    expect(formatEther(await ReplicaRing__factory.connect(replicaRing, chain.provider).fee())).to.equal("0.001");
  });

  it("4. starts the members and the replica node, which publish their node info on chain", async function () {
    const output = await step(4, 180_000);
    const ring = await shell.variable("RING");
    expect(output).to.contain(`ring      ${ring}`);
    const contract = Ring__factory.connect(ring, chain.provider);
    for (const i of [1, 2, 3]) {
      const published = async () => (await contract.nodeInfo(hardhatAccount(i).address)).peerId !== "0x";
      const deadline = Date.now() + 60_000;
      while (!(await published()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await published(), `member ${i} published its PeerId`).to.equal(true);
    }
  });

  it("5. shows the fee before paying, then registers the ring with the replica ring", async function () {
    const output = await step(5);
    const ring = await shell.variable("RING");
    const before = output.indexOf("is not registered");
    expect(before, output).to.be.greaterThan(-1);
    expect(output.slice(before)).to.contain("fee 0.001 ETH");
    expect(output.indexOf(`ring ${ring} registered with`)).to.be.greaterThan(before);
    expect(await ReplicaRing__factory.connect(await shell.variable("REPLICA_RING"), chain.provider).isRegistered(ring)).to.equal(true);
    expect(output).to.match(/ is registered with .*paid until/);
  });

  it("6. submits a job that the ring finalises on chain", async function () {
    const output = await step(6, 240_000);
    expect(output).to.match(/status\s+finalised in round \d+/);
    const round = Number(/finalised in round (\d+)/.exec(output)?.[1]);
    expect(Number(await Ring__factory.connect(await shell.variable("RING"), chain.provider).round())).to.be.at.least(round);
    expect(output).to.match(/value\s+\{.*"to"/);
  });

  it("7. admits the candidate by the members' vote", async function () {
    const output = await step(7, 180_000);
    const candidate = hardhatAccount(KEYS.CANDIDATE_KEY).address;
    expect(await Ring__factory.connect(await shell.variable("RING"), chain.provider).members()).to.include(candidate);
    expect(output).to.contain(`admit ${candidate}`);
    expect(output).to.match(/majority\s+3 of 4/);
  });
});
