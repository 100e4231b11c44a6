import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO_ROOT } from "../../scripts/devnet/paths.js";
import { freePort } from "../../scripts/devnet/ports.js";
import { own, stopGroup, waitFor } from "../../scripts/devnet/processes.js";
import { skipSuiteLoudly } from "../support/loudSkip.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = path.join(REPO_ROOT, "test-output", "dashboard.png");
const HEX_TX = "0x[0-9a-f]{64}";

/** A node line of the main job: `  member-0   0xAddress  12D3Koo…  pid 1234`. */
interface PrintedNode {
  name: string;
  address: string;
  peerId: string;
  pid: number;
}

/** The main job as users run it (`npm start`, no --once), its stdout collected line by line. */
class MainJob {
  readonly lines: string[] = [];
  private constructor(readonly child: ChildProcess) {
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const text = partial + chunk.toString("utf8");
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      this.lines.push(...parts);
    });
    child.stderr?.resume();
  }

  static async start(dataDir: string): Promise<MainJob> {
    const tsx = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
    const args = ["scripts/main.ts", "--port", String(await freePort()), "--dashboard-port", String(await freePort()), "--data-dir", dataDir];
    return new MainJob(own(spawn(tsx, args, { cwd: REPO_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] })));
  }

  /** The first match of `pattern` in the output, waiting up to `timeoutMs` for it. */
  async match(pattern: RegExp, timeoutMs = 300_000): Promise<RegExpMatchArray> {
    return waitFor(
      `the main job to print ${String(pattern)}`,
      () => {
        if (this.child.exitCode !== null) throw new Error(`the main job exited (${this.child.exitCode}):\n${this.lines.slice(-20).join("\n")}`);
        for (const line of this.lines) {
          const found = line.match(pattern);
          if (found !== null) return found;
        }
        return undefined;
      },
      timeoutMs,
      200,
    );
  }

  nodes(): PrintedNode[] {
    return this.lines.flatMap((line) => {
      const found = line.match(/^\s+((?:member|replica)-\d+)\s+(0x[0-9a-fA-F]{40})\s+(\S+)\s+pid (\d+)$/);
      return found === null ? [] : [{ name: found[1] as string, address: found[2] as string, peerId: found[3] as string, pid: Number(found[4]) }];
    });
  }
}

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
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
  });

  after(async () => {
    await browser?.close();
    if (job !== undefined) await stopGroup(job.child, 20_000);
    // Whatever the main job could not stop (it was killed) is stopped here by the pids it printed.
    for (const node of nodes ?? []) {
      try {
        process.kill(-node.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
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
