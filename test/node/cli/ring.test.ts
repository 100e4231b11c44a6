/**
 * `ring-node ring create` and `ring info` as an operator runs them: real processes against a real
 * `hardhat node`, the avatar key from `ring-node init`, the factory named or read from deploy records.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { parseEther } from "ethers";
import { peerIdBytes, identityFromPrivateKey } from "../../../node/src/identity/identity.js";
import { generateRingKeys, replicaKeyCommitment } from "../../../node/src/replica/ringKeys.js";
import { ringScheme } from "../../../node/src/chain/index.js";
import { BlsRing__factory, ReplicaRing__factory, Ring__factory } from "../../../types/index.js";
import { hardhatAccount, startHardhatNode, type HardhatNode } from "../../../scripts/devnet/hardhatNode.js";
import { REPO_ROOT } from "../../../scripts/devnet/paths.js";
import { freePort } from "../../../scripts/devnet/ports.js";
import { initRingNode, RING_NODE_BIN, ringNodeCommand, TEST_PASSWORD } from "../../../scripts/devnet/ringNodeProcess.js";
import { createReplicaRing, deployRingsContracts, type RingsContracts } from "../../../scripts/devnet/ringsOnChain.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const run = promisify(execFile);
const dirs = tempDirs("rings-cli-ring");

/** Runs `ring-node <args>` expecting it to fail; its exit code and stderr. */
async function failing(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [RING_NODE_BIN, ...args], { env: { ...process.env, RING_NODE_PASSWORD: TEST_PASSWORD }, timeout: 60_000 });
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    return { code: failure.code ?? -1, stderr: failure.stderr ?? "" };
  }
  throw new Error(`ring-node ${args.join(" ")} was expected to fail`);
}

describe("ring-node ring create / ring info", function () {
  let chain: HardhatNode;
  let contracts: RingsContracts;
  let factory: string;
  let dataDir: string;
  const operator = hardhatAccount(7);
  const members = [1, 2, 3].map((i) => hardhatAccount(i).address);
  const create = (...extra: string[]) => ringNodeCommand(["ring", "create", "--data-dir", dataDir, "--rpc-url", chain.url, "--json", ...extra]);
  const nonce = () => chain.provider.getTransactionCount(operator.address, "latest");

  before(async function () {
    chain = await startHardhatNode();
    contracts = await deployRingsContracts(chain.account(0));
    factory = await contracts.factory.getAddress();
    dataDir = await dirs.make("operator");
    await initRingNode(dataDir, operator.privateKey);
  });

  after(async function () {
    await chain?.stop();
    await dirs.cleanup();
  });

  it("creates a ring of the given members, owned by the avatar, and prints its address", async function () {
    const created = JSON.parse(await create("--factory", factory, "--members", ...members)) as { ring: string; owner: string; members: string[]; transactionHash: string };
    const ring = Ring__factory.connect(created.ring, chain.provider);
    expect(await ring.members()).to.deep.equal(members);
    expect(await ring.owner()).to.equal(operator.address);
    expect(created.owner).to.equal(operator.address);
    expect((await chain.provider.getTransactionReceipt(created.transactionHash))?.from).to.equal(operator.address);
  });

  it("gives the ring the --owner named, members listed comma-separated", async function () {
    const owner = hardhatAccount(9).address;
    const created = JSON.parse(await create("--factory", factory, "--members", members.join(","), "--owner", owner)) as { ring: string };
    expect(await Ring__factory.connect(created.ring, chain.provider).owner()).to.equal(owner);
  });

  it("finds the factory in the deploy records of the chain when none is named", async function () {
    const deployments = await dirs.make("deployments");
    const records = {
      "Rings#RingsForwarder": contracts.forwarder,
      "Rings#Ring": await contracts.factory.ringImplementation(),
      "Rings#ReplicaRing": await contracts.factory.replicaRingImplementation(),
      "Rings#Scope": contracts.scope,
      "Rings#Gate": contracts.gate,
      "Rings#RingFactory": factory,
    };
    await mkdir(join(deployments, "chain-31337"), { recursive: true });
    await writeFile(join(deployments, "chain-31337", "deployed_addresses.json"), JSON.stringify(records));
    const created = JSON.parse(await create("--deployments", deployments, "--members", members[0] as string)) as { ring: string; factory: string };
    expect(created.factory).to.equal(factory);
    expect(await contracts.factory.isRing(created.ring)).to.equal(true);
  });

  it("refuses deploy records of another chain's deployment (an earlier dev chain's, its addresses now hold nothing or something else), before sending anything", async function () {
    const deployments = await dirs.make("stale-deployments");
    const stale = contracts.scope;
    const records = { "Rings#RingsForwarder": stale, "Rings#Ring": stale, "Rings#ReplicaRing": stale, "Rings#Scope": stale, "Rings#Gate": stale, "Rings#RingFactory": stale };
    await mkdir(join(deployments, "chain-31337"), { recursive: true });
    await writeFile(join(deployments, "chain-31337", "deployed_addresses.json"), JSON.stringify(records));
    const before = await nonce();
    const { code, stderr } = await failing(["ring", "create", "--data-dir", dataDir, "--rpc-url", chain.url, "--deployments", deployments, "--members", members[0] as string]);
    expect(code).to.equal(1);
    expect(stderr).to.contain(`DeploymentNotFoundError: the deploy records in ${deployments} name ${stale} as the RingFactory of chain 31337, but that is not the recorded deployment's factory`);
    expect(await nonce()).to.equal(before);
  });

  it("creates a BlsRing with --scheme bls: the ring answers as a BLS ring, with no key registered yet", async function () {
    const created = JSON.parse(await create("--factory", factory, "--members", ...members, "--scheme", "bls")) as { ring: string; scheme: string };
    expect(created.scheme).to.equal("bls");
    expect(await ringScheme(chain.provider, created.ring)).to.equal("bls");
    expect(await BlsRing__factory.connect(created.ring, chain.provider).blsKeyCount()).to.equal(0n);
    expect(await BlsRing__factory.connect(created.ring, chain.provider).members()).to.deep.equal(members);
    const info = JSON.parse(await ringNodeCommand(["ring", "info", created.ring, "--rpc-url", chain.url, "--json"])) as { scheme: string };
    expect(info.scheme).to.equal("bls");
  });

  it("creates an ECDSA Ring by default, which the node tells apart from a BlsRing", async function () {
    const created = JSON.parse(await create("--factory", factory, "--members", members[0] as string)) as { ring: string; scheme: string };
    expect(created.scheme).to.equal("ecdsa");
    expect(await ringScheme(chain.provider, created.ring)).to.equal("ecdsa");
  });

  it("refuses a --scheme other than ecdsa or bls before sending anything", async function () {
    const before = await nonce();
    const { code, stderr } = await failing(["ring", "create", "--data-dir", dataDir, "--rpc-url", chain.url, "--factory", factory, "--members", members[0] as string, "--scheme", "schnorr"]);
    expect(code).to.equal(1);
    expect(stderr).to.contain("UsageError: --scheme: ecdsa or bls, not schnorr");
    expect(await nonce()).to.equal(before);
  });

  it("refuses a member given twice before sending anything", async function () {
    const before = await nonce();
    const { code, stderr } = await failing(["ring", "create", "--data-dir", dataDir, "--rpc-url", chain.url, "--factory", factory, "--members", members[0] as string, members[1] as string, members[0] as string]);
    expect(code).to.equal(1);
    expect(stderr).to.match(/UsageError: --members: 0x\w+ is given twice/);
    expect(await nonce()).to.equal(before);
  });

  it("names the contract's reason when the chain would refuse the ring, and sends nothing", async function () {
    const before = await nonce();
    const { code, stderr } = await failing(["ring", "create", "--data-dir", dataDir, "--rpc-url", chain.url, "--factory", factory, "--members", `0x${"00".repeat(20)}`]);
    expect(code).to.equal(1);
    expect(stderr).to.contain("CallRefusedError: RingFactory.createRing would revert: InvalidMember(0x0000000000000000000000000000000000000000)");
    expect(await nonce()).to.equal(before);
  });

  it("says which chain is unreachable instead of waiting for it", async function () {
    const { code, stderr } = await failing(["ring", "create", "--data-dir", dataDir, "--rpc-url", `http://127.0.0.1:${await freePort()}`, "--factory", factory, "--members", members[0] as string]);
    expect(code).to.equal(1);
    expect(stderr).to.match(/ChainUnreachableError: chain at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
  });

  it("shows a ring's members with their PeerIds and heads, its round and the replica rings it is registered with", async function () {
    const { ring } = JSON.parse(await create("--factory", factory, "--members", ...members)) as { ring: string };
    const first = hardhatAccount(1).connect(chain.provider);
    const { peerId } = identityFromPrivateKey(first.privateKey);
    await (await Ring__factory.connect(ring, first).setNodeInfo(`/ip4/127.0.0.1/tcp/4001/p2p/${peerId.toString()}`, peerIdBytes(peerId))).wait();
    const fee = parseEther("0.01");
    const replica = await createReplicaRing(contracts.factory, [4, 5].map((i) => hardhatAccount(i).address), await chain.account(0).getAddress(), fee);
    const replicaRing = ReplicaRing__factory.connect(replica.replicaRing, first);
    await (await replicaRing.deposit(first.address, { value: fee })).wait();
    await (await replicaRing.register(ring, replicaKeyCommitment(generateRingKeys().replicaKey))).wait();

    const info = JSON.parse(await ringNodeCommand(["ring", "info", ring, "--rpc-url", chain.url, "--factory", factory, "--json"])) as {
      round: string;
      requiredVotes: string;
      members: { address: string; peerId: string | null; logHead: string | null }[];
      replicatedBy: string[];
    };
    expect(info.members.map((m) => m.address)).to.deep.equal(members);
    expect(info.members[0]?.peerId).to.equal(peerId.toString());
    expect(info.members[1]?.peerId).to.equal(null);
    expect(info.round).to.equal("0");
    expect(info.requiredVotes).to.equal("2");
    expect(info.replicatedBy).to.deep.equal([replica.replicaRing]);
    const text = await ringNodeCommand(["ring", "info", ring, "--rpc-url", chain.url, "--factory", factory]);
    expect(text).to.contain(`replicas  ${replica.replicaRing}`);
    expect(text).to.contain(peerId.toString());
  });

  it("does the same as Hardhat tasks (npx hardhat rings create / info) from the network's first account", async function () {
    const hardhat = join(REPO_ROOT, "node_modules", ".bin", "hardhat");
    const env = { ...process.env, RINGS_LOCALHOST_URL: chain.url };
    const task = async (args: string[]) => (await run(hardhat, ["--network", "localhost", "rings", ...args, "--factory", factory, "--json"], { cwd: REPO_ROOT, env, timeout: 120_000 })).stdout;
    const created = JSON.parse(await task(["create", "--members", members.join(",")])) as { ring: string; owner: string };
    expect(created.owner).to.equal(hardhatAccount(0).address);
    const info = JSON.parse(await task(["info", created.ring])) as { members: { address: string }[]; owner: string };
    expect(info.members.map((m) => m.address)).to.deep.equal(members);
    expect(info.owner).to.equal(hardhatAccount(0).address);
  });

  it("refuses an address that is not a ring with a clear error", async function () {
    const { code, stderr } = await failing(["ring", "info", operator.address, "--rpc-url", chain.url, "--factory", factory]);
    expect(code).to.equal(1);
    expect(stderr).to.contain(`NotARingError: no contract at ${operator.address}`);
  });
});
