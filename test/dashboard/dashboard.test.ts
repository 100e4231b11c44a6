import { existsSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { REPO_ROOT } from "../../scripts/devnet/paths.js";
import { skipSuiteLoudly } from "../support/loudSkip.js";
import { CHROMIUM, launchChromium, MainJob, stopMainJob, type PrintedNode } from "./mainJob.js";

const SCREENSHOT = path.join(REPO_ROOT, "test-output", "dashboard.png");
const HEX_TX = "0x[0-9a-f]{64}";

describe("dashboard (headless Chromium on the main job's ring-node processes)", function () {
  let dataDir: string;
  let job: MainJob;
  let browser: Browser;
  let page: Page;
  let ring: string;
  let replicaRing: string;
  let nodes: PrintedNode[];

  before(async function () {
    if (!existsSync(CHROMIUM)) skipSuiteLoudly(this, `no Chromium at ${CHROMIUM} (the dashboard tests drive it headless)`, "apt-get install -y chromium");
    dataDir = await mkdtemp(path.join(tmpdir(), "rings-dashboard-"));
    job = await MainJob.start(dataDir);
    // The dashboard starts before ReplicateRing, FlushToRing and the job: the page sees them land.
    const url = (await job.match(/^dashboard (http:\/\/127\.0\.0\.1:\d+\S*)$/))[1] as string;
    ring = (await job.match(/^ring (0x[0-9a-fA-F]{40}) \(majority/))[1] as string;
    replicaRing = (await job.match(/^replica ring (0x[0-9a-fA-F]{40}) /))[1] as string;
    nodes = job.nodes();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
  });

  after(async () => {
    await browser?.close();
    await stopMainJob(job, nodes, dataDir);
  });

  it("lists the seven ring-node processes of both rings as running", async () => {
    expect(nodes.map((node) => node.name)).to.have.members(["member-0", "member-1", "member-2", "member-3", "replica-0", "replica-1", "replica-2"]);
    await page.locator("#nodes .pill.ok").nth(6).waitFor({ timeout: 30_000 });
    const text = await page.locator("#nodes").innerText();
    for (const node of nodes) expect(text).to.contain(String(node.pid));
  });

  it("lists the ring with its members and the PeerIds their processes published on chain", async () => {
    const heading = page.locator(`h2[data-ring="${ring}"]`);
    await heading.waitFor({ timeout: 30_000 });
    for (const node of nodes.filter((n) => n.name.startsWith("member"))) {
      await page.locator(`code[title="${node.peerId}"]`).first().waitFor({ timeout: 60_000 });
      expect(await page.locator(`code[title="${node.address}"]`).count()).to.be.greaterThan(0);
    }
    expect(await page.locator("#rings").innerText()).to.contain("majority 3");
  });

  it("shows the replica ring with the ring's registration once ReplicateRing lands", async () => {
    const tx = (await job.match(new RegExp(`^registered through replica-0: tx (${HEX_TX})$`)))[1] as string;
    await page.locator(`code[title="${tx}"]`).waitFor({ timeout: 30_000 });
    expect(await page.locator(`h2[data-ring="${replicaRing}"]`).innerText()).to.match(/^Replica ring/);
    expect(await page.locator(`code[title="${ring}"]`).count()).to.be.greaterThan(1);
  });

  it("shows the light client's FlushToRing with the replica node that relayed it", async () => {
    const tx = (await job.match(new RegExp(`: relayed, tx (${HEX_TX}), head`)))[1] as string;
    await page.locator(`code[title="${tx}"]`).waitFor({ timeout: 30_000 });
    const replica0 = nodes.find((node) => node.name === "replica-0");
    expect(await page.locator(`code[title="${replica0?.address}"]`).count()).to.be.greaterThan(1);
  });

  it("shows the word-count round with its votes and the job as finalised", async () => {
    const tx = (await job.match(new RegExp(`^tx\\s+(${HEX_TX}) \\(gas`)))[1] as string;
    const round = (await job.match(/^round\s+(\d+)$/))[1] as string;
    await page.locator(`code[title="${tx}"]`).waitFor({ timeout: 30_000 });
    const row = page.locator("#rings table tr", { has: page.locator(`code[title="${tx}"]`) });
    expect(await row.locator(".pill.ok").count()).to.be.greaterThanOrEqual(3);
    expect(await row.locator("td").first().innerText()).to.equal(round);
    await page.locator("#jobs td", { hasText: "finalised" }).waitFor({ timeout: 30_000 });
  });

  it("marks a node stopped when its process dies, and saves a screenshot", async () => {
    const victim = nodes.find((node) => node.name === "replica-2");
    if (victim === undefined) throw new Error("no replica-2");
    process.kill(-victim.pid, "SIGKILL");
    await page.locator("#nodes tr", { hasText: String(victim.pid) }).locator(".pill.bad").waitFor({ timeout: 30_000 });
    expect(await page.locator("#nodes .pill.ok").count()).to.equal(6);
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).to.equal(true);
  });
});
