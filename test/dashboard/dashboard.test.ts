import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { NonceManager } from "ethers";
import { chromium, type Browser, type Page } from "playwright-core";
import { takeChainSnapshot } from "../../node/src/dashboard/chainSnapshot.js";
import { startDashboard, type DashboardServer } from "../../node/src/dashboard/server.js";
import { deployRings } from "../../scripts/devnet/deployRings.js";
import { createDemoRing, flushDemoRound, hardhatAccount, type DemoRing } from "../../scripts/devnet/demoRing.js";
import { REPO_ROOT, startLocalChain, type LocalChain } from "../../scripts/devnet/localChain.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = path.join(REPO_ROOT, "test-output", "dashboard.png");

describe("dashboard (headless Chromium against a live local chain)", function () {
  let chain: LocalChain;
  let demo: DemoRing;
  let dashboard: DashboardServer;
  let browser: Browser;
  let page: Page;
  let chainId: bigint;
  let gate: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    chain = await startLocalChain();
    chainId = (await chain.provider.getNetwork()).chainId;
    const addresses = await deployRings(chain.url, chainId);
    gate = addresses.gate;
    const engine = new NonceManager(hardhatAccount(0).connect(chain.provider));
    demo = await createDemoRing(addresses, engine, [1, 2, 3, 4].map((i) => hardhatAccount(i).connect(chain.provider)));
    await flushDemoRound(demo, chainId, gate, hardhatAccount(1).connect(chain.provider));
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

  it("lists the ring with its members, PeerId column, heads and reputation", async () => {
    await page.locator(`h2[data-ring="${demo.address}"]`).waitFor({ timeout: 15_000 });
    const text = await page.locator("#rings").innerText();
    for (const member of demo.members) expect(text).to.contain(member.wallet.address.slice(0, 12));
    expect(text).to.contain("PeerId");
    expect(text).to.contain("majority 3");
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
