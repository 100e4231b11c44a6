/**
 * The dashboard's explorer in headless Chromium on the main job's ring-node processes: what the
 * page draws is checked against the members themselves (their control endpoints, their JSON-RPC
 * ReadMessages) and against the chain (the ring's Flushed events).
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

const SCREENSHOT = path.join(REPO_ROOT, "test-output", "explorer.png");
/** The explorer's window per member (dashboard/explorerData.ts EXPLORER_LIMITS.logNodes). */
const WINDOW = 200;

describe("dashboard explorer (headless Chromium on the main job's ring-node processes)", function () {
  let dataDir: string;
  let job: MainJob;
  let browser: Browser;
  let page: Page;
  let ring: string;
  let chainUrl: string;
  let nodes: PrintedNode[];
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
    if (!existsSync(CHROMIUM)) skipSuiteLoudly(this, `no Chromium at ${CHROMIUM} (the explorer tests drive it headless)`, "apt-get install -y chromium");
    dataDir = await mkdtemp(path.join(tmpdir(), "rings-explorer-"));
    job = await MainJob.start(dataDir);
    chainUrl = (await job.match(/^hardhat node (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
    const url = (await job.match(/^dashboard (http:\/\/127\.0\.0\.1:\d+\S*)$/))[1] as string;
    ring = (await job.match(/^ring (0x[0-9a-fA-F]{40}) \(majority/))[1] as string;
    nodes = job.nodes();
    members = nodes.filter((node) => node.name.startsWith("member"));
    // Everything the main job does is done once it says the ring keeps running.
    await job.match(/^the ring keeps running/);
    posted = job.lines.flatMap((line) => {
      const found = line.match(/^message round (\d+) (0x[0-9a-fA-F]{40}) #(\d+): /);
      return found === null ? [] : [{ round: Number(found[1]), author: found[2] as string, seq: Number(found[3]) }];
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${url}explorer`);
  });

  after(async () => {
    await browser?.close();
    await stopMainJob(job, nodes, dataDir);
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
