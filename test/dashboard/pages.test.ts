/**
 * The main job's pages in headless Chromium, on its ring-node processes (one run of `npm start`
 * for both pages: starting the job is most of their time). The dashboard is opened before
 * ReplicateRing, FlushToRing and the job land, so it is seen updating; the explorer's drawings are
 * checked against the members themselves (control endpoints, JSON-RPC ReadMessages) and the chain
 * (the ring's Flushed events). A node is killed last, once both pages have been checked.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import type { Browser, Page } from "playwright-core";
import type { ReadMessagesResult } from "../../node/src/api/index.js";
import { RingsRpcClient } from "../../node/src/client/ringsRpcClient.js";
import { ControlClient } from "../../node/src/control/client.js";
import type { RawLog } from "../../node/src/dashboard/explorerEntries.js";
import { JSONRPC_FILE } from "../../node/src/rpc/jsonRpcService.js";
import type { NodeStatus } from "../../node/src/status/status.js";
import { REPO_ROOT } from "../../scripts/devnet/paths.js";
import { waitFor } from "../../scripts/devnet/processes.js";
import { Ring__factory } from "../../types/index.js";
import { skipSuiteLoudly } from "../support/loudSkip.js";
import { CHROMIUM, launchChromium, MainJob, stopMainJob, type PrintedNode } from "./mainJob.js";

const DASHBOARD_SCREENSHOT = path.join(REPO_ROOT, "test-output", "dashboard.png");
const SCREENSHOT = path.join(REPO_ROOT, "test-output", "explorer.png");
const HEX_TX = "0x[0-9a-f]{64}";
/** The explorer's window per member (dashboard/explorerData.ts EXPLORER_LIMITS.logNodes). */
const WINDOW = 200;

describe("the main job's dashboard and explorer (headless Chromium on its ring-node processes)", function () {
  let dataDir: string;
  let job: MainJob;
  let browser: Browser;
  let url: string;
  let ring: string;
  let replicaRing: string;
  let nodes: PrintedNode[];

  before(async function () {
    if (!existsSync(CHROMIUM)) skipSuiteLoudly(this, `no Chromium at ${CHROMIUM} (the dashboard tests drive it headless)`, "apt-get install -y chromium");
    dataDir = await mkdtemp(path.join(tmpdir(), "rings-pages-"));
    job = await MainJob.start(dataDir);
    url = (await job.match(/^dashboard (http:\/\/127\.0\.0\.1:\d+\S*)$/))[1] as string;
    ring = (await job.match(/^ring (0x[0-9a-fA-F]{40}) \(majority/))[1] as string;
    replicaRing = (await job.match(/^replica ring (0x[0-9a-fA-F]{40}) /))[1] as string;
    nodes = job.nodes();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stopMainJob(job, nodes, dataDir);
  });

  describe("dashboard", function () {
    let page: Page;

    before(async function () {
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(url);
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
  });

  describe("explorer", function () {
    let page: Page;
    let chainUrl: string;
    let members: PrintedNode[];
    /** The demo messages the main job printed: author, seq and the round that made each final. */
    let posted: { round: number; author: string; seq: number }[];

    const memberDir = (node: PrintedNode) => path.join(dataDir, "ring", node.name);

    /** The last WINDOW nodes of `node`'s own log, read from its control endpoint. */
    async function ownWindow(node: PrintedNode): Promise<RawLog> {
      const control = await ControlClient.forDataDir(memberDir(node));
      const status = await control.status<NodeStatus>();
      const length = (status.own?.seq ?? -1) + 1;
      return control.log<RawLog>(node.address, Math.max(0, length - WINDOW), WINDOW);
    }

    const svgOf = (node: PrintedNode) => page.locator(`svg.dag[data-member="${node.address}"]`);

    before(async function () {
      chainUrl = (await job.match(/^hardhat node (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
      members = nodes.filter((node) => node.name.startsWith("member"));
      // Everything the main job does is done once it says the ring keeps running.
      await job.match(/^the ring keeps running/);
      posted = job.lines.flatMap((line) => {
        const found = line.match(/^message round (\d+) (0x[0-9a-fA-F]{40}) #(\d+): /);
        return found === null ? [] : [{ round: Number(found[1]), author: found[2] as string, seq: Number(found[3]) }];
      });
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${url}explorer`);
    });

    it("draws each member's log as one SVG node per log node of its window, with an edge per prev link inside it", async () => {
      expect(members).to.have.length(4);
      for (const member of members) {
        // The log may still grow (a late proposal): compare once the page shows what the member holds.
        const window = await waitFor(
          `${member.name}'s DAG to match its log`,
          async () => {
            const held = await ownWindow(member);
            const drawn = await svgOf(member).locator("g.node").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-cid")));
            return drawn.length === held.nodes.length && held.nodes.every((node) => drawn.includes(node.cid)) ? held : undefined;
          },
          60_000,
          500,
        );
        expect(window.nodes.length).to.be.within(1, WINDOW);
        const cids = new Set(window.nodes.map((node) => node.cid));
        const links = window.nodes.flatMap((node) => node.prev.filter((prev) => cids.has(prev)).map((prev) => `${node.cid}>${prev}`));
        const edges = await svgOf(member).locator("line.prev").evaluateAll((lines) => lines.map((l) => `${l.getAttribute("data-from")}>${l.getAttribute("data-to")}`));
        expect(links.length).to.be.greaterThan(0);
        expect(edges.sort()).to.deep.equal(links.sort());
      }
    });

    it("tells the entry types apart: the word-count job, shards, proposals and messages", async () => {
      const kinds = new Set(await page.locator("svg.dag g.node").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-kind"))));
      for (const kind of ["job", "shard", "proposal", "message"]) expect(kinds, kind).to.include(kind);
      expect(await page.locator("svg.dag g.node.kind-proposal polygon").count()).to.be.greaterThan(0);
    });

    it("marks the word-count round's cut and each posted message as covered by the round that made it final", async () => {
      const round = (await job.match(/^round\s+(\d+)$/))[1] as string;
      const marks = await page.locator("svg.dag text.cut-mark").evaluateAll((texts) => texts.map((text) => text.textContent ?? ""));
      expect(marks.some((mark) => mark.split(",").includes(`r${round}`)), marks.join(" ")).to.equal(true);
      expect(posted).to.have.length(4);
      for (const message of posted) {
        const node = page.locator(`svg.dag[data-member="${message.author}"] g.node[data-seq="${message.seq}"]`);
        expect(await node.getAttribute("data-kind")).to.equal("message");
        expect(await node.getAttribute("data-covered-by")).to.equal(String(message.round));
        expect(await node.getAttribute("class")).to.contain("covered");
      }
    });

    it("plots a point per flushed round of the ring on the timeline, each with the latency its relayer measured", async () => {
      const provider = new JsonRpcProvider(chainUrl);
      try {
        const contract = Ring__factory.connect(ring, provider);
        const flushed = (await contract.queryFilter(contract.filters.Flushed())).map((event) => Number(event.args[0]));
        expect(flushed.length).to.be.greaterThanOrEqual(2);
        const points = page.locator("#timeline-svg circle.round-point");
        const rounds = await points.evaluateAll((cs) => cs.map((c) => Number(c.getAttribute("data-round"))));
        expect(rounds.sort((a, b) => a - b)).to.deep.equal(flushed.sort((a, b) => a - b));
        expect(await page.locator("#timeline-svg circle.round-point.unmeasured").count()).to.equal(0);
        const latencies = await points.evaluateAll((cs) => cs.map((c) => c.querySelector("title")?.textContent ?? ""));
        for (const title of latencies) expect(title).to.match(/ · \d+ ms · flushed \d\d:\d\d:\d\d\.\d{3}/);
      } finally {
        provider.destroy();
      }
    });

    it("lists the demo app's messages in the agreed order a member's ReadMessages gives", async () => {
      const member = members[3] as PrintedNode;
      const rpc = JSON.parse(await readFile(path.join(memberDir(member), JSONRPC_FILE), "utf8")) as { url: string; pid: number };
      expect(rpc.pid).to.equal(member.pid);
      const read: ReadMessagesResult = await new RingsRpcClient(rpc.url).readMessages({ app: "rings-demo", limit: 1000 });
      const finals = read.messages.filter((message) => message.status === "final").map((message) => message.cid);
      expect(finals.length).to.be.greaterThanOrEqual(4);
      await page.locator("li.msg.final").nth(finals.length - 1).waitFor({ timeout: 30_000 });
      const shown = await page.locator("li.msg.final").evaluateAll((items) => items.map((item) => item.getAttribute("data-cid")));
      expect(shown).to.deep.equal(finals);
      expect(await page.locator("#app").inputValue()).to.equal("rings-demo");
    });

    it("shows the ring's registration with each replica node's held seq of every member, and saves a screenshot", async () => {
      const heading = page.locator(`h3[data-client-ring="${ring}"]`);
      await heading.waitFor({ timeout: 30_000 });
      const table = page.locator(`h3[data-client-ring="${ring}"] + table`);
      // A replica node reports a member once its follower has passed over it (every few seconds).
      await waitFor(
        "a held seq of every member at a replica node",
        async () => {
          const rows = await table.locator("tr").evaluateAll((trs) => trs.slice(1).map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.querySelector("code")?.getAttribute("title") ?? td.textContent ?? "")));
          return members.every((member) => rows.some((row) => row[1] === member.address && /^\d+$/.test(row[2] ?? ""))) ? rows : undefined;
        },
        90_000,
        1_000,
      );
      await mkdir(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(existsSync(SCREENSHOT)).to.equal(true);
    });
  });

  describe("once a process dies", function () {
    it("marks a node stopped when its process dies, and saves a screenshot", async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(url);
      const victim = nodes.find((node) => node.name === "replica-2");
      if (victim === undefined) throw new Error("no replica-2");
      process.kill(-victim.pid, "SIGKILL");
      await page.locator("#nodes tr", { hasText: String(victim.pid) }).locator(".pill.bad").waitFor({ timeout: 30_000 });
      expect(await page.locator("#nodes .pill.ok").count()).to.equal(6);
      await mkdir(path.dirname(DASHBOARD_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: DASHBOARD_SCREENSHOT, fullPage: true });
      expect(existsSync(DASHBOARD_SCREENSHOT)).to.equal(true);
    });
  });
});
