/**
 * `ring-node replica register / status` as an operator runs them: a member's data directory, a
 * replica ring of one `ring-node` process serving JSON-RPC, a real `hardhat node`.
 */
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parseEther } from "ethers";
import { ReplicaRing__factory } from "../../../types/index.js";
import { ensureRingKeys } from "../../../node/src/replica/ringKeyFile.js";
import { JSONRPC_FILE } from "../../../node/src/rpc/jsonRpcService.js";
import { hardhatAccount, startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { initRingNode, RING_NODE_BIN, ringNodeCommand, RingNodeProcess, TEST_PASSWORD } from "../../../scripts/devnet/ringNodeProcess.js";
import { createReplicaRing, createRing, deployRingsContracts } from "../../../scripts/devnet/ringsOnChain.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const run = promisify(execFile);
const dirs = tempDirs("rings-cli-replica");
const FEE = parseEther("0.01");

describe("ring-node replica register / status", function () {
  this.timeout(180_000);
  let chain: HardhatNode;
  let memberDir: string;
  let ring: string;
  let replicaRing: string;
  let via: string;
  let replicaNode: RingNodeProcess;
  let contracts: Awaited<ReturnType<typeof deployRingsContracts>>;
  const chainFlags = () => ["--data-dir", memberDir, "--rpc-url", chain.url, "--ring", ring];
  const failing = async (args: string[]) =>
    run(process.execPath, [RING_NODE_BIN, ...args], { env: { ...process.env, RING_NODE_PASSWORD: TEST_PASSWORD }, timeout: 60_000 }).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );

  before(async function () {
    chain = await startHardhatNode();
    contracts = await deployRingsContracts(chain.account(0));
    const owner = await chain.account(0).getAddress();
    memberDir = await dirs.make("member");
    const member = await initRingNode(memberDir, hardhatAccount(3).privateKey);
    ring = await createRing(contracts.factory, [member.address], owner);
    const replicaDir = await dirs.make("replica");
    const replicaMember = await initRingNode(replicaDir, hardhatAccount(4).privateKey);
    const created = await createReplicaRing(contracts.factory, [replicaMember.address], owner, FEE);
    replicaRing = created.replicaRing;
    replicaNode = await RingNodeProcess.start({ dataDir: replicaDir, rpcUrl: chain.url, ring: created.ring, env: { RING_NODE_REPLICA_RING: replicaRing } });
    via = await waitFor(
      "the replica node's JSON-RPC endpoint",
      async () => {
        const info = JSON.parse(await readFile(join(replicaDir, JSONRPC_FILE), "utf8")) as { url: string; pid: number };
        return info.pid === replicaNode.child.pid ? info.url : undefined;
      },
      60_000,
    );
  });

  after(async function () {
    await replicaNode?.kill();
    await chain?.stop();
    await dirs.cleanup();
  });

  it("shows the fee and pays nothing without --yes when the credit does not cover it", async function () {
    const balance = await chain.provider.getBalance(hardhatAccount(3).address);
    const failure = await failing(["replica", "register", replicaRing, "--via", via, ...chainFlags()]);
    expect(failure?.code).to.equal(1);
    expect(failure?.stderr).to.contain("fee 0.01 ETH");
    expect(failure?.stderr).to.match(/UsageError: the credit does not cover the fee of 0\.01 ETH: run again with --yes/);
    expect(await chain.provider.getBalance(hardhatAccount(3).address)).to.equal(balance);
  });

  it("with --yes deposits the fee, makes the ring's keys (0600) and registers through the replica node", async function () {
    const result = JSON.parse(await ringNodeCommand(["replica", "register", replicaRing, "--via", via, "--yes", "--json", ...chainFlags()], {}, 120_000)) as { tx: string; ring: string };
    expect(result.ring).to.equal(ring);
    expect(result.tx).to.match(/^0x[0-9a-f]{64}$/);
    expect((await stat(join(memberDir, "ring-keys.json"))).mode & 0o777).to.equal(0o600);
    const status = JSON.parse(await ringNodeCommand(["replica", "status", replicaRing, "--json", ...chainFlags()])) as { registered: boolean; keyHeld: boolean | null };
    expect(status).to.include({ registered: true, keyHeld: true });
  });

  it("refuses to register a ring that is registered already", async function () {
    const failure = await failing(["replica", "register", replicaRing, "--via", via, "--yes", ...chainFlags()]);
    expect(failure?.stderr).to.match(/UsageError: ring 0x\w+ is registered with 0x\w+ already/);
  });

  it("says when the committed key is not the one held here, or no keys are", async function () {
    const otherKeys = join(await dirs.make("other-keys"), "ring-keys.json");
    const missing = await ringNodeCommand(["replica", "status", replicaRing, "--keys", otherKeys, ...chainFlags()]);
    expect(missing).to.contain("no ring keys here");
    await ensureRingKeys(otherKeys);
    const other = await ringNodeCommand(["replica", "status", replicaRing, "--keys", otherKeys, ...chainFlags()]);
    expect(other).to.contain("the committed key is NOT the one held here");
  });

  it("shows when the registration's paid period ends, and that it has not passed yet", async function () {
    const expiresAt = Number(await ReplicaRing__factory.connect(replicaRing, chain.provider).expiresAt(ring));
    const status = JSON.parse(await ringNodeCommand(["replica", "status", replicaRing, "--json", ...chainFlags()])) as { expiresAt: number | null; expired: boolean };
    expect(status).to.deep.include({ expiresAt, expired: false });
    expect(await ringNodeCommand(["replica", "status", replicaRing, ...chainFlags()])).to.contain(`paid until ${new Date(expiresAt * 1000).toISOString()}`);
  });

  it("a ring never registered has no expiresAt and is not called expired", async function () {
    const other = await createRing(contracts.factory, [hardhatAccount(5).address], await chain.account(0).getAddress());
    const status = JSON.parse(await ringNodeCommand(["replica", "status", replicaRing, "--json", "--data-dir", memberDir, "--rpc-url", chain.url, "--ring", other])) as { registered: boolean; expiresAt: number | null; expired: boolean };
    expect(status).to.deep.include({ registered: false, expiresAt: null, expired: false });
  });

  it("once the chain's time passes expiresAt, shows the registration expired and no longer registered", async function () {
    const expiresAt = Number(await ReplicaRing__factory.connect(replicaRing, chain.provider).expiresAt(ring));
    const now = (await chain.provider.getBlock("latest"))?.timestamp ?? 0;
    await chain.provider.send("evm_increaseTime", [expiresAt - now + 1]);
    await chain.provider.send("evm_mine", []);
    const status = JSON.parse(await ringNodeCommand(["replica", "status", replicaRing, "--json", ...chainFlags()])) as { registered: boolean; expiresAt: number | null; expired: boolean };
    expect(status).to.deep.include({ registered: false, expiresAt, expired: true });
    expect(await ringNodeCommand(["replica", "status", replicaRing, ...chainFlags()])).to.contain(`expired ${new Date(expiresAt * 1000).toISOString()}`);
  });
});
