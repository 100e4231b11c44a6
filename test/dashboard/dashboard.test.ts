import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { NonceManager, parseEther, ZeroHash, type ContractTransactionResponse } from "ethers";
import { chromium, type Browser, type Page } from "playwright-core";
import { readForwarderInfo } from "../../node/src/client/requests.js";
import { takeChainSnapshot } from "../../node/src/dashboard/chainSnapshot.js";
import { startDashboard, type DashboardServer } from "../../node/src/dashboard/server.js";
import { identityFromPrivateKey, peerIdBytes } from "../../node/src/identity/identity.js";
import { forwarderContract } from "../../node/src/chain/index.js";
import { generateRingKeys, replicaKeyCommitment } from "../../node/src/replica/ringKeys.js";
import { signForwardRequest, toForwardRequestData, type ForwardRequest } from "../../node/src/relay/forwardRequest.js";
import { ReplicaRing__factory, RingFactory__factory } from "../../types/index.js";
import { deployRings } from "../../scripts/devnet/deployRings.js";
import { createDemoRing, flushDemoRound, type DemoRing } from "../../scripts/devnet/demoRing.js";
import { hardhatAccount, startHardhatNode, type HardhatNode } from "../../scripts/devnet/hardhatNode.js";
import { REPO_ROOT } from "../../scripts/devnet/paths.js";
import { skipSuiteLoudly } from "../support/loudSkip.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = path.join(REPO_ROOT, "test-output", "dashboard.png");

describe("dashboard (headless Chromium against a live local chain)", function () {
  let chain: HardhatNode;
  let demo: DemoRing;
  let dashboard: DashboardServer;
  let browser: Browser;
  let page: Page;
  let chainId: bigint;
  let gate: string;
  let replicaRing: string;
  let relayedTx: string;
  const peerIds: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) skipSuiteLoudly(this, `no Chromium at ${CHROMIUM} (the dashboard tests drive it headless)`, "apt-get install -y chromium");
    chain = await startHardhatNode();
    chainId = (await chain.provider.getNetwork()).chainId;
    const addresses = await deployRings(chain.url, chainId);
    gate = addresses.gate;
    const engine = new NonceManager(hardhatAccount(0).connect(chain.provider));
    demo = await createDemoRing(addresses, engine, [1, 2, 3, 4].map((i) => hardhatAccount(i).connect(chain.provider)));
    await flushDemoRound(demo, chainId, gate, hardhatAccount(1).connect(chain.provider));
    // The nonce from the node itself: the provider briefly caches the one it read for the last transaction.
    const nonce = async (account: string) => ({ nonce: Number(await chain.provider.send("eth_getTransactionCount", [account, "pending"])) });
    // Each member publishes its multiaddr and PeerId (the same key) on chain, as ring-node does.
    for (const [i, member] of demo.members.entries()) {
      const { peerId } = identityFromPrivateKey(member.wallet.privateKey);
      peerIds.push(peerId.toString());
      await (await demo.ring.connect(member.wallet).setNodeInfo(`/ip4/127.0.0.1/tcp/${4100 + i}/p2p/${peerId.toString()}`, peerIdBytes(peerId), await nonce(member.wallet.address))).wait();
    }
    // A replica ring of three; the demo ring registers with it, paying its fee.
    const factory = RingFactory__factory.connect(addresses.factory, engine);
    const fee = parseEther("0.01");
    const created = await factory.createReplicaRing.staticCall([5, 6, 7].map((i) => hardhatAccount(i).address), await engine.getAddress(), fee);
    await (await factory.createReplicaRing([5, 6, 7].map((i) => hardhatAccount(i).address), await engine.getAddress(), fee)).wait();
    replicaRing = created.ring;
    const registrant = demo.members[0]?.wallet;
    if (registrant === undefined) throw new Error("no member 1");
    const replica = ReplicaRing__factory.connect(created.replicaRing, registrant);
    await (await replica.deposit(registrant.address, { value: fee, ...(await nonce(registrant.address)) })).wait();
    await (await replica.register(demo.address, replicaKeyCommitment(generateRingKeys().replicaKey), await nonce(registrant.address))).wait();
    // A FlushToRing as a replica node relays it: member 4 signs a request moving its log head; account 5 executes it.
    const avatar = demo.members[3]?.wallet;
    if (avatar === undefined) throw new Error("no member 4");
    const forwarder = await readForwarderInfo(chain.provider, addresses.forwarder);
    const request: ForwardRequest = {
      from: avatar.address,
      to: demo.address,
      value: 0n,
      gas: 100_000n,
      nonce: 0n,
      deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
      data: demo.ring.interface.encodeFunctionData("updateLogHead", [ZeroHash.replace(/00$/, "42")]),
    };
    const signature = await signForwardRequest(avatar, forwarder.domain, request);
    const execute = forwarderContract(addresses.forwarder, hardhatAccount(5).connect(chain.provider)).getFunction("execute");
    const sent = (await execute(toForwardRequestData(request, signature))) as ContractTransactionResponse;
    relayedTx = (await sent.wait())?.hash ?? "";
    dashboard = await startDashboard(
      { state: async () => ({ chain: await takeChainSnapshot({ provider: chain.provider, factory: addresses.factory, gate, forwarder: addresses.forwarder }) }) },
      { intervalMs: 250 },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(dashboard.url);
  });

  after(async () => {
    await browser?.close();
    await dashboard?.close();
    await chain?.stop();
  });

  it("lists the ring with its members, the PeerIds they published, heads and reputation", async () => {
    await page.locator(`h2[data-ring="${demo.address}"]`).waitFor({ timeout: 15_000 });
    const text = await page.locator("#rings").innerText();
    for (const member of demo.members) expect(text).to.contain(member.wallet.address.slice(0, 12));
    for (const peerId of peerIds) expect(await page.locator(`code[title="${peerId}"]`).count()).to.be.greaterThan(0);
    expect(text).to.contain("majority 3");
  });

  it("shows the replica ring with the demo ring's registration", async () => {
    await page.locator(`h2[data-ring="${replicaRing}"]`).waitFor({ timeout: 15_000 });
    expect(await page.locator(`h2[data-ring="${replicaRing}"]`).innerText()).to.match(/^Replica ring/);
    expect(await page.locator(`code[title="${demo.address}"]`).count()).to.be.greaterThan(1);
    expect(await page.locator("#rings").innerText()).to.contain("10000000000000000");
  });

  it("shows a FlushToRing: the log head relayed through the forwarder, with its relayer", async () => {
    await page.locator(`code[title="${relayedTx}"]`).waitFor({ timeout: 15_000 });
    expect(await page.locator(`code[title="${hardhatAccount(5).address}"]`).count()).to.be.greaterThan(0);
  });

  it("shows the flushed round with its votes, outputs and gas", async () => {
    const roundRow = page.locator("table tr", { hasText: "0x70997970" }).first();
    await roundRow.waitFor({ timeout: 15_000 });
    expect(await page.locator(".round").first().innerText()).to.equal("1");
    expect(await page.locator(".pill.ok").count()).to.equal(3);
    expect(await page.locator("#rings").innerText()).to.contain("1 → 0x");
  });

  it("updates live when the next round is flushed, and saves a screenshot", async () => {
    await flushDemoRound(demo, chainId, gate, hardhatAccount(2).connect(chain.provider));
    await page.locator(".round", { hasText: /^2$/ }).waitFor({ timeout: 15_000 });
    expect(await page.locator(".pill.ok").count()).to.equal(6);
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).to.equal(true);
  });
});
