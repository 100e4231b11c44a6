/**
 * The chat ring (examples/chat) in headless Chromium: three `ring-node` processes on a hardhat
 * chain, each member's chat server, and one browser context per member. Messages are typed into
 * the pages; every page shows the same final messages in the same order, also the page of a member
 * killed and restarted mid-conversation; the chat server forwards only the page's calls.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { chromium, type Browser, type Page } from "playwright-core";
import { WebSocket } from "ws";
import { startChatRing, type ChatRing } from "../../examples/chat/chatRing.js";
import { DEFAULT_MAX_REQUEST_BYTES } from "../../examples/chat/rpcProxy.js";
import { MessagesClient } from "../../node/src/client/messagesClient.js";
import { memberJsonRpcUrl } from "../../scripts/devnet/jsonRpcUrl.js";
import { REPO_ROOT } from "../../scripts/devnet/paths.js";
import { waitFor } from "../../scripts/devnet/processes.js";
import { skipSuiteLoudly } from "../support/loudSkip.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT_DIR = path.join(REPO_ROOT, "test-output");

/** One message as a page shows it. */
interface Shown {
  cid: string;
  status: string;
  round: string;
  author: string;
  txt: string;
}

/** The messages a page shows, top to bottom (no named functions inside: tsx's __name is not in the page). */
function shown(page: Page): Promise<Shown[]> {
  return page.locator("#messages li").evaluateAll((items) =>
    items.map((li) => ({
      cid: (li as HTMLElement).dataset.cid ?? "",
      status: (li as HTMLElement).dataset.status ?? "",
      round: li.querySelector(".round")?.textContent ?? "",
      author: (li as HTMLElement).dataset.author ?? "",
      txt: li.querySelector(".txt")?.textContent ?? "",
    })),
  );
}

/** Types `txt` into the page's input box and sends it with Enter. */
async function say(page: Page, txt: string): Promise<void> {
  const input = page.locator("#text");
  await input.fill(txt);
  await input.press("Enter");
  await page.locator("#messages li .txt", { hasText: txt }).first().waitFor({ timeout: 10_000 });
}

/** Waits until every page shows `count` messages, all final, and returns what each shows. */
async function allFinal(pages: Page[], count: number, timeoutMs = 60_000): Promise<Shown[][]> {
  return waitFor(
    `${count} final messages on every page`,
    async () => {
      const lists = await Promise.all(pages.map(shown));
      return lists.every((list) => list.length === count && list.every((item) => item.status === "final")) ? lists : undefined;
    },
    timeoutMs,
    250,
  );
}

const stateOf = (page: Page) => page.locator("#state").getAttribute("data-state");

describe("chat ring (headless Chromium, three members' pages)", function () {
  this.timeout(180_000);
  let chat: ChatRing;
  let browser: Browser;
  let pages: Page[] = [];
  const sent: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) skipSuiteLoudly(this, `no Chromium at ${CHROMIUM} (the chat tests drive it headless)`, "apt-get install -y chromium");
    chat = await startChatRing();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    // One browser context per member: three participants with nothing shared.
    pages = await Promise.all(chat.members.map(async () => (await browser.newContext({ viewport: { width: 900, height: 700 } })).newPage()));
    await Promise.all(pages.map((page, i) => page.goto(chat.members[i]?.url as string)));
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await chat?.world.saveLogs(`chat ${this.currentTest.title}`);
  });

  after(async () => {
    await browser?.close();
    await chat?.stop();
  });

  it("each page shows the member it speaks for and goes live", async () => {
    for (const [i, page] of pages.entries()) {
      await page.locator('#state[data-state="live"]').waitFor({ timeout: 30_000 });
      expect(await page.locator("#me").innerText()).to.equal(chat.members[i]?.address);
    }
  });

  it("a message sent from a page shows greyed as tentative at once, then final with its round", async () => {
    const page = pages[0] as Page;
    sent.push("hello from member-0");
    await page.locator("#text").fill(sent[0] as string);
    await page.locator("#text").press("Enter");
    const tentative = page.locator('#messages li[data-status="tentative"]', { hasText: sent[0] as string });
    await tentative.waitFor({ timeout: 5_000 });
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "chat-tentative.png") });
    expect(await tentative.evaluate((li) => getComputedStyle(li).color)).to.equal("rgb(154, 160, 168)");
    const final = page.locator('#messages li[data-status="final"]', { hasText: sent[0] as string });
    await final.waitFor({ timeout: 30_000 });
    expect(await final.locator(".round").innerText()).to.match(/^round \d+$/);
    expect(await final.evaluate((li) => getComputedStyle(li).color)).to.not.equal("rgb(154, 160, 168)");
  });

  it("messages sent from all three pages are final on every page in the same order", async () => {
    const batch = pages.flatMap((_, i) => [`m${i} says one`, `m${i} says two`]);
    sent.push(...batch);
    await Promise.all(pages.map(async (page, i) => {
      await say(page, `m${i} says one`);
      await say(page, `m${i} says two`);
    }));
    const [first, ...others] = await allFinal(pages, sent.length);
    for (const other of others) expect(other).to.deep.equal(first);
    expect((first as Shown[]).map((item) => item.txt)).to.have.members(sent);
    // Rounds never go back down the list.
    const rounds = (first as Shown[]).map((item) => Number(item.round.replace("round ", "")));
    expect(rounds).to.deep.equal([...rounds].sort((a, b) => a - b));
  });

  it("a message posted on another member's own endpoint appears on the pages live, without reload or polling", async () => {
    const calls: string[] = [];
    const watched = pages.slice(0, 2);
    const count = (request: { url(): string }) => void (request.url().endsWith("/rpc") && calls.push(request.url()));
    for (const page of watched) page.on("request", count);
    try {
      const txt = "posted by member-2's JSON-RPC, not a page";
      sent.push(txt);
      const client = new MessagesClient(await memberJsonRpcUrl(chat.world, 2), { timeoutMs: 10_000 });
      await client.post({ app: "chat", type: "text", payload: { message: { txt } } });
      for (const page of watched) await page.locator("#messages li .txt", { hasText: txt }).first().waitFor({ timeout: 10_000 });
      const [first, ...others] = await allFinal(pages, sent.length);
      for (const other of others) expect(other).to.deep.equal(first);
      expect(calls).to.deep.equal([]);
    } finally {
      for (const page of watched) page.off("request", count);
    }
  });

  it("a member killed mid-conversation: its page shows it offline, then catches up after the restart", async () => {
    const page = pages[2] as Page;
    await chat.kill(2);
    await page.locator('#state[data-state="member-offline"]').waitFor({ timeout: 10_000 });
    const away = ["while m2 is away (m0)", "while m2 is away (m1)"];
    sent.push(...away);
    await Promise.all(away.map((txt, i) => say(pages[i] as Page, txt)));
    await allFinal(pages.slice(0, 2), sent.length);
    expect(await stateOf(page)).to.equal("member-offline");
    await chat.restart(2);
    await page.locator('#state[data-state="live"]').waitFor({ timeout: 30_000 });
    sent.push("m2 is back");
    await say(page, "m2 is back");
    const [first, ...others] = await allFinal(pages, sent.length);
    for (const other of others) expect(other).to.deep.equal(first);
    expect((first as Shown[]).map((item) => item.txt)).to.have.members(sent);
    for (const [i, each] of pages.entries()) await each.screenshot({ path: path.join(SCREENSHOT_DIR, `chat-member-${i}.png`), fullPage: true });
    expect(existsSync(path.join(SCREENSHOT_DIR, "chat-member-2.png"))).to.equal(true);
  });

  it("a page opened later replays the whole history in the same order", async () => {
    const late = await (await browser.newContext()).newPage();
    await late.goto(chat.members[1]?.url as string);
    const [replayed, seen] = await allFinal([late, pages[0] as Page], sent.length, 20_000);
    expect(replayed).to.deep.equal(seen);
  });

  it("the chat server forwards only the page's same-origin JSON-RPC calls, bounded in size", async () => {
    const url = chat.members[0]?.url as string;
    const rpc = (body: string, headers: Record<string, string> = {}) => fetch(`${url}rpc`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
    const call = (method: string, params: unknown) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    const codeOf = async (response: Response) => ((await response.json()) as { error?: { code: number } }).error?.code;
    expect((await rpc(call("ReadMessages", { app: "chat", limit: 1 }), { Origin: "http://evil.example" })).status).to.equal(403);
    expect((await fetch(`${url}rpc`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: call("ReadMessages", { app: "chat" }) })).status).to.equal(415);
    const big = await rpc(call("PostMessage", { app: "chat", payload: { message: { txt: "x".repeat(DEFAULT_MAX_REQUEST_BYTES) } } }));
    expect([big.status, await codeOf(big)]).to.deep.equal([413, -32011]);
    expect(await codeOf(await rpc(call("FlushToRing", {})))).to.equal(-32601);
    expect(await codeOf(await rpc(`[${call("ReadMessages", { app: "chat" })}]`))).to.equal(-32600);
    const answer = await rpc(call("ReadMessages", { app: "chat", limit: 1 }), { Origin: url.replace(/\/$/, "") });
    expect(answer.status).to.equal(200);
    expect(((await answer.json()) as { result: { messages: unknown[] } }).result.messages).to.have.length(1);
  });

  it("the chat server's /ws bridges only same-origin subscription calls to its member", async () => {
    const url = (chat.members[0]?.url as string).replace(/^http/, "ws");
    const refused = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${url}ws`, { headers: { Origin: "http://evil.example" } });
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("open", () => reject(new Error("a foreign Origin was upgraded")));
      socket.once("error", () => undefined);
    });
    expect(refused).to.equal(403);
    const socket = new WebSocket(`${url}ws`);
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    try {
      const answer = (call: object) =>
        new Promise<{ id: number; error?: { code: number }; result?: unknown }>((resolve) => {
          const onMessage = (data: Buffer) => {
            const frame = JSON.parse(data.toString()) as { id?: number; error?: { code: number }; result?: unknown };
            if (frame.id !== (call as { id: number }).id) return;
            socket.off("message", onMessage);
            resolve(frame as { id: number });
          };
          socket.on("message", onMessage);
          socket.send(JSON.stringify(call));
        });
      expect((await answer({ jsonrpc: "2.0", id: 1, method: "PostMessage", params: { app: "chat", payload: {} } })).error?.code).to.equal(-32601);
      expect((await answer({ jsonrpc: "2.0", id: 2, method: "SubscribeMessages", params: { app: "chat" } })).result).to.have.property("id");
    } finally {
      socket.close();
    }
  });
});
