/**
 * The main job (`npm start -- --once`) run once, as a user runs it; then what it printed and what
 * its stopped nodes left on disk: the replica nodes' blockstores and the members' read keys.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { after, before, describe, it } from "mocha";
import { RING_LOG_NODE_VERSION } from "../../node/src/core/ringLogNode.js";
import { decryptPayload, isEncryptedPayload } from "../../node/src/replica/payloadCipher.js";
import { READ_KEYS_FILE, readEpochKeys } from "../../node/src/replica/readKeyFile.js";
import { APPLICATION_DOMSEP } from "../../node/src/rpc/nodeLog.js";
import { REPO_ROOT } from "../../scripts/devnet/paths.js";
import { freePort } from "../../scripts/devnet/ports.js";
import { clearByDesign } from "../../scripts/devnet/replicaHoldings.js";
import { storedBlocks } from "./storedBlocks.js";

const run = promisify(execFile);
const REPLICAS = 3;
/** "Within a few seconds": the longest a replica may take to serve every member's on-chain head. */
const CATCH_UP_SECONDS = 10;

describe("main job (npm start -- --once)", function () {
  let dataDir: string;
  let stdout: string;
  let ring: string;
  /** The replica ring's own ring (its members' own logs: relay records). */
  let replicaRingRing: string;
  let members: string[];
  const replicaDir = (i: number) => path.join(dataDir, "replica", `replica-${i}`);
  const memberDir = (i: number) => path.join(dataDir, "ring", `member-${i}`);
  const blocksOfReplicas = () => Promise.all(Array.from({ length: REPLICAS }, (_, i) => storedBlocks(replicaDir(i))));

  before(async function () {
    dataDir = await mkdtemp(path.join(tmpdir(), "rings-main-"));
    const tsx = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
    const args = ["scripts/main.ts", "--once", "--port", String(await freePort()), "--data-dir", dataDir];
    ({ stdout } = await run(tsx, args, { cwd: REPO_ROOT, timeout: 480_000, maxBuffer: 16 * 1024 * 1024 }));
    await mkdir(path.join(REPO_ROOT, "test-output"), { recursive: true });
    await writeFile(path.join(REPO_ROOT, "test-output", "main-job.stdout"), stdout);
    ring = stdout.match(/^ring (0x[0-9a-fA-F]{40}) \(majority/m)?.[1] ?? "";
    replicaRingRing = stdout.match(/^replica ring (0x[0-9a-fA-F]{40}) \(ReplicaRing/m)?.[1] ?? "";
    members = [...stdout.matchAll(/^\s+member-\d+\s+(0x[0-9a-fA-F]{40})\s/gm)].map((found) => found[1] as string);
  });

  after(async function () {
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("brings up the chain, the ring of 4 and the replica ring of 3, finalises a word count on chain, makes four posted messages final and exits 0", function () {
    expect(stdout).to.match(/registered through replica-0: tx 0x[0-9a-f]{64}/);
    expect(stdout).to.match(/: relayed, tx 0x[0-9a-f]{64}/);
    expect(stdout).to.match(/finalised: 4\/4 shards agreed, round \d+/);
    expect(stdout).to.match(/tx\s+0x[0-9a-f]{64} \(gas \d+\)/);
    expect(stdout).to.match(/top words\s+\d+ words; the \d+/);
    // Each of the four members posted one message and a flushed round made all four final.
    expect(stdout.match(/^message round \d+ 0x[0-9a-fA-F]{40} #\d+: \{"message":\{"txt":/gm)).to.have.length(4);
  });

  it(`within ${CATCH_UP_SECONDS} seconds every replica node serves every member's log, seq 0 up to its on-chain head (GetReplicaLog)`, function () {
    for (let i = 0; i < REPLICAS; i++) {
      const found = stdout.match(new RegExp(`^replica-${i}\\s+holds 4 member logs \\((\\d+) nodes\\) up to their on-chain heads after ([\\d.]+) s$`, "m"));
      expect(found, `replica-${i}'s line`).to.not.equal(null);
      expect(Number(found?.[1])).to.be.greaterThan(4);
      expect(Number(found?.[2])).to.be.at.most(CATCH_UP_SECONDS);
    }
  });

  it("a member with the read key opens every sealed payload a replica serves; only key blocks, key requests and membership votes are in the clear", function () {
    const found = stdout.match(/^member-0 opens (\d+)\/(\d+) sealed payloads replica-0 serves; in the clear: (\d+) key blocks, key requests and membership votes \(by design\), (\d+) other$/m);
    expect(found).to.not.equal(null);
    expect(Number(found?.[2])).to.be.greaterThan(0);
    expect(found?.[1]).to.equal(found?.[2]);
    expect(found?.[4]).to.equal("0");
  });

  it("every client-ring log node in every replica's blockstore carries an encrypted payload, except what is clear by design: key blocks and key requests (wrapped keys only), membership votes", async function () {
    for (const [i, stored] of (await blocksOfReplicas()).entries()) {
      const ringNodes = stored.logNodes.filter(({ node }) => node.ring === ring);
      expect(new Set(ringNodes.map(({ node }) => node.author)), `replica-${i} holds every member's nodes`).to.deep.equal(new Set(members));
      const clientNodes = stored.logNodes.filter(({ node }) => node.ring !== replicaRingRing);
      const clear = clientNodes.filter(({ node }) => !isEncryptedPayload(node.payload));
      const notByDesign = clear.filter(({ node }) => !clearByDesign(node.payload, node.ring));
      expect(notByDesign.map(({ node }) => `${node.ring} ${node.author} #${node.seq}: ${JSON.stringify(node.payload)}`), `replica-${i}'s plaintext payloads`).to.deep.equal([]);
      expect(clientNodes.length - clear.length).to.be.greaterThan(0);
    }
  });

  it("every log node of the replica ring's own ring in every replica's blockstore (relay records: received, relayed, ReplicateRing) is sealed, except key blocks and key requests; the replica's read keys open each to a relay record", async function () {
    for (const [i, stored] of (await blocksOfReplicas()).entries()) {
      const own = stored.logNodes.filter(({ node }) => node.ring === replicaRingRing);
      const notByDesign = own.filter(({ node }) => !isEncryptedPayload(node.payload) && !clearByDesign(node.payload, node.ring));
      expect(notByDesign.map(({ node }) => `${node.author} #${node.seq}: ${JSON.stringify(node.payload)}`), `replica-${i}'s plaintext relay records`).to.deep.equal([]);
      const sealed = own.filter(({ node }) => isEncryptedPayload(node.payload));
      expect(sealed.length, `replica-${i}'s sealed relay records`).to.be.greaterThan(0);
      const keys = [...(await readEpochKeys(path.join(replicaDir(i), READ_KEYS_FILE), replicaRingRing)).values()].flat();
      const opened = sealed.map(({ node }) => {
        for (const key of keys) {
          try {
            return decryptPayload(key, node.payload, { ring: replicaRingRing, author: node.author }) as { application_domsep?: unknown; status?: unknown; type?: unknown };
          } catch {
            // another epoch's key
          }
        }
        return undefined;
      });
      expect(opened.filter((record) => record?.application_domsep !== APPLICATION_DOMSEP).length, `replica-${i}'s relay records its read keys do not open`).to.equal(0);
      expect(opened.some((record) => record?.type === "ReplicateRing"), `replica-${i} holds the sealed ReplicateRing record`).to.equal(true);
    }
  });

  it("every other block a replica stores is a ring log node (a round's agreed head: CIDs and outputs, its digest on chain)", async function () {
    const ringLogNode = (value: unknown) => {
      if (value === null || typeof value !== "object") return false;
      const keys = Object.keys(value).filter((key) => key !== "prev").sort();
      return JSON.stringify(keys) === JSON.stringify(["headsRoot", "jobs", "memberHeads", "outputs", "ring", "round", "v"]) && (value as { v: unknown }).v === RING_LOG_NODE_VERSION;
    };
    for (const [i, stored] of (await blocksOfReplicas()).entries()) {
      const strangers = stored.other.filter((block) => !ringLogNode(block.value)).map((block) => `${block.cid} (${block.bytes} bytes)`);
      expect(strangers, `replica-${i}'s blocks that are neither log nodes nor ring log nodes`).to.deep.equal([]);
    }
  });

  it("the read keys in a member's data directory open every sealed payload of the ring's logs in a replica's blockstore", async function () {
    const keys = [...(await readEpochKeys(path.join(memberDir(0), READ_KEYS_FILE), ring)).values()].flat();
    expect(keys.length).to.be.greaterThan(0);
    const [stored] = await blocksOfReplicas();
    const sealed = (stored?.logNodes ?? []).filter(({ node }) => node.ring === ring && isEncryptedPayload(node.payload));
    expect(sealed.length).to.be.greaterThan(0);
    const opens = (author: string, payload: unknown) =>
      keys.some((key) => {
        try {
          decryptPayload(key, payload, { ring, author });
          return true;
        } catch {
          return false;
        }
      });
    expect(sealed.filter(({ node }) => !opens(node.author, node.payload)).map(({ node }) => `${node.author} #${node.seq}`)).to.deep.equal([]);
  });
});
