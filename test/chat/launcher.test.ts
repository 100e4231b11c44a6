/**
 * `npm run chat` as users run it (examples/chat/main.ts in its own process): it prints the three
 * members' page URLs, each page is served and speaks for the member printed beside it, and SIGINT
 * (Ctrl-C) stops the pages, the ring-node processes and the chain.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { REPO_ROOT } from "../../scripts/devnet/paths.js";
import { exited, own, stopGroup, waitFor } from "../../scripts/devnet/processes.js";

interface PrintedMember {
  name: string;
  address: string;
  url: string;
  pid: number;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("npm run chat (the chat launcher)", function () {
  this.timeout(150_000);
  let child: ChildProcess;
  const lines: string[] = [];
  let members: PrintedMember[] = [];
  let chainUrl = "";

  before(async () => {
    const tsx = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
    child = own(spawn(tsx, ["examples/chat/main.ts"], { cwd: REPO_ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] }));
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const parts = (partial + chunk.toString("utf8")).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
    });
    child.stderr?.resume();
    await waitFor(
      "the launcher to print its pages",
      () => {
        if (child.exitCode !== null) throw new Error(`the launcher exited (${child.exitCode}):\n${lines.join("\n")}`);
        return lines.some((line) => line.startsWith("open each page"));
      },
      120_000,
      200,
    );
    chainUrl = lines.find((line) => line.startsWith("chain "))?.slice("chain ".length) ?? "";
    members = lines.flatMap((line) => {
      const found = line.match(/^\s+(member-\d+)\s+(0x[0-9a-fA-F]{40})\s+(http:\/\/127\.0\.0\.1:\d+\/)\s+pid (\d+)$/);
      return found === null ? [] : [{ name: found[1] as string, address: found[2] as string, url: found[3] as string, pid: Number(found[4]) }];
    });
  });

  after(async () => {
    if (child !== undefined) await stopGroup(child, 20_000);
    for (const member of members) if (alive(member.pid)) process.kill(-member.pid, "SIGKILL");
  });

  it("prints three members, each with its page on 127.0.0.1 and its ring-node process", () => {
    expect(members.map((member) => member.name)).to.deep.equal(["member-0", "member-1", "member-2"]);
    expect(new Set(members.map((member) => member.url)).size).to.equal(3);
    for (const member of members) expect(alive(member.pid)).to.equal(true);
  });

  it("serves each member's page, which speaks for the member printed beside it", async () => {
    for (const member of members) {
      const page = await fetch(member.url);
      expect(page.status).to.equal(200);
      expect(page.headers.get("content-security-policy")).to.contain("default-src 'self'");
      expect(await page.text()).to.contain('<script type="module" src="/chat.js">');
      const who = (await (await fetch(`${member.url}api/member`)).json()) as { address: string; app: string };
      expect(who).to.include({ address: member.address, app: "chat" });
    }
  });

  it("stops the pages, the ring-node processes and the chain on SIGINT, exiting 0", async () => {
    const done = exited(child);
    // Ctrl-C in a terminal signals the foreground group; the launcher's own group stands in for it here.
    process.kill(-(child.pid as number), "SIGINT");
    await done;
    expect(child.exitCode).to.equal(0);
    await waitFor("the ring-node processes to be gone", () => members.every((member) => !alive(member.pid)), 10_000);
    for (const member of members) expect(await fetch(member.url).then(() => "answered", () => "refused")).to.equal("refused");
    expect(await fetch(chainUrl, { method: "POST" }).then(() => "answered", () => "refused")).to.equal("refused");
  });
});
