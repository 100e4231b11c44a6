/**
 * The live rings of the main job: a ring of `ringSize` ring-node processes that computes jobs and a
 * replica ring of `replicaSize` that replicates it and relays light clients' meta-transactions.
 * Avatar keys and logs live in `dataDir` and are reused on the next start; the chain is new each
 * time, so the engine recreates both rings (same members) and funds the members.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { hexlify, parseEther, randomBytes, Wallet, type Signer } from "ethers";
import type { RingsAddresses } from "../../deploy/addresses.js";
import { AvatarLog } from "../../node/src/client/avatarLog.js";
import { buildFlushToRing, buildReplicateRing, nextForwarderNonce, readForwarderInfo } from "../../node/src/client/requests.js";
import { RingsRpcClient } from "../../node/src/client/ringsRpcClient.js";
import { headLabel } from "../../node/src/dashboard/chainSnapshot.js";
import { keystoreAddress, keystorePath, loadKeystore } from "../../node/src/identity/keystore.js";
import { ensureRingKeys, RING_KEYS_FILE } from "../../node/src/replica/ringKeyFile.js";
import { generateRingKeys, type RingKeys } from "../../node/src/replica/ringKeys.js";
import { JobsClient } from "../../node/src/rounds/jobsClient.js";
import type { JobStatus } from "../../node/src/rounds/jobService.js";
import { JSONRPC_FILE } from "../../node/src/rpc/jsonRpcService.js";
import { Gate__factory, ReplicaRing__factory, Ring__factory, RingFactory__factory } from "../../types/index.js";
import type { HardhatNode } from "./hardhatNode.js";
import { REPO_ROOT } from "./paths.js";
import { waitFor } from "./processes.js";
import { RING_NODE_BIN, ringNodeCommand, RingNodeProcess } from "./ringNodeProcess.js";
import { createRing, fund } from "./ringsOnChain.js";

const run = promisify(execFile);

/** The devnet's keystore password (the keys only ever hold devnet ETH). */
const DEVNET_PASSWORD = process.env.RING_NODE_PASSWORD ?? "rings devnet";
const OUTPUT_PIN = 1;

export interface LiveNode {
  name: string;
  role: "member" | "replica";
  address: string;
  dataDir: string;
  process: RingNodeProcess;
}

export interface LiveRingsOptions {
  chain: HardhatNode;
  addresses: RingsAddresses;
  engine: Signer;
  dataDir: string;
  ringSize: number;
  replicaSize: number;
  fee: bigint;
}

export interface WordCountResult {
  job: string;
  round: number;
  tx: string | null;
  ringNodeHead: string;
  outputCid: string;
  summary: string;
}

function nodeEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { RING_NODE_PASSWORD: DEVNET_PASSWORD, RING_NODE_LOG_LEVEL: "info", ...extra };
}

/** The member's address, creating its avatar key on first use. */
async function ensureAvatar(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  if (existsSync(keystorePath(dataDir))) {
    const address = await keystoreAddress(dataDir);
    if (address !== null) return address;
  }
  const stdout = await ringNodeCommand(["init", "--data-dir", dataDir, "--json"], nodeEnv({ RING_NODE_SCRYPT_N: "32768" }));
  return (JSON.parse(stdout) as { address: string }).address;
}

export class LiveRings {
  readonly ringNodes: LiveNode[] = [];
  readonly replicaNodes: LiveNode[] = [];
  private readonly jobs = new Map<string, JobStatus>();
  ring = "";
  replicaRingRing = "";
  replicaRing = "";

  private constructor(readonly options: LiveRingsOptions) {}

  get fee(): bigint {
    return this.options.fee;
  }

  static async start(options: LiveRingsOptions): Promise<LiveRings> {
    const live = new LiveRings(options);
    try {
      await live.setUp();
    } catch (error) {
      await live.stop();
      throw error;
    }
    return live;
  }

  private async setUp(): Promise<void> {
    const { engine, addresses, dataDir } = this.options;
    const base = path.resolve(REPO_ROOT, dataDir);
    const ringDirs = Array.from({ length: this.options.ringSize }, (_, i) => path.join(base, "ring", `member-${i}`));
    const replicaDirs = Array.from({ length: this.options.replicaSize }, (_, i) => path.join(base, "replica", `replica-${i}`));
    const ringMembers = await Promise.all(ringDirs.map(ensureAvatar));
    const replicaMembers = await Promise.all(replicaDirs.map(ensureAvatar));
    const owner = await engine.getAddress();
    const factory = RingFactory__factory.connect(addresses.factory, engine);

    this.ring = await createRing(factory, ringMembers, owner);
    const created = await (await factory.createReplicaRing(replicaMembers, owner, this.options.fee)).wait();
    for (const log of created?.logs ?? []) {
      const parsed = factory.interface.parseLog(log);
      if (parsed?.name === "ReplicaRingCreated") {
        this.replicaRing = parsed.args.replicaRing as string;
        this.replicaRingRing = parsed.args.ring as string;
      }
    }
    if (this.replicaRing === "") throw new Error("ReplicaRingCreated was not emitted");
    await (await Gate__factory.connect(addresses.gate, engine).setAuthorized(this.ring, true)).wait();
    await fund(engine, [...ringMembers, ...replicaMembers], parseEther("10"));

    const peers: string[] = [];
    for (const [i, dir] of ringDirs.entries()) {
      const process = await RingNodeProcess.start({ dataDir: dir, rpcUrl: this.options.chain.url, ring: this.ring, peers: [...peers], env: nodeEnv({ RING_NODE_GATE: addresses.gate, RING_NODE_FACTORY: addresses.factory }) });
      peers.push(process.multiaddr);
      this.ringNodes.push({ name: `member-${i}`, role: "member", address: ringMembers[i] as string, dataDir: dir, process });
    }
    const replicaPeers: string[] = [];
    for (const [i, dir] of replicaDirs.entries()) {
      const process = await RingNodeProcess.start({ dataDir: dir, rpcUrl: this.options.chain.url, ring: this.replicaRingRing, peers: [...replicaPeers], env: nodeEnv({ RING_NODE_REPLICA_RING: this.replicaRing, RING_NODE_FACTORY: addresses.factory }) });
      replicaPeers.push(process.multiaddr);
      this.replicaNodes.push({ name: `replica-${i}`, role: "replica", address: replicaMembers[i] as string, dataDir: dir, process });
    }
  }

  /** The JSON-RPC URL (FlushToRing / ReplicateRing) a replica node wrote to its data directory. */
  async rpcUrl(node: LiveNode): Promise<string> {
    return waitFor(
      `${node.name}'s JSON-RPC endpoint`,
      async () => {
        const info = JSON.parse(await readFile(path.join(node.dataDir, JSONRPC_FILE), "utf8")) as { url: string; pid: number };
        return info.pid === node.process.child.pid ? info.url : undefined;
      },
      60_000,
    );
  }

  /** The ring's read and replica keys, made once and kept beside the members' data. */
  async ringKeys(): Promise<RingKeys> {
    return (await ensureRingKeys(path.resolve(REPO_ROOT, this.options.dataDir, RING_KEYS_FILE))).keys;
  }

  /** Member 0 of `ring` signs the registration, funded by the engine's deposit; replica node 0 relays it. */
  private async register(ring: string, signer: Wallet, replicaKey: Uint8Array): Promise<{ tx: string; via: string }> {
    const { chain, addresses, engine } = this.options;
    await (await ReplicaRing__factory.connect(this.replicaRing, engine).deposit(signer.address, { value: this.options.fee })).wait();
    const relay = this.replicaNodes[0] as LiveNode;
    const client = new RingsRpcClient(await this.rpcUrl(relay));
    const forwarder = await readForwarderInfo(chain.provider, addresses.forwarder);
    const nonce = await nextForwarderNonce(chain.provider, addresses.forwarder, signer.address);
    const result = await client.replicateRing(await buildReplicateRing({ signer, ring, replicaRing: this.replicaRing, replicaKey, forwarder, nonce }));
    return { tx: String(result.tx), via: relay.name };
  }

  /** ReplicateRing for the computing ring: its member 0 signs, a replica node relays and keeps the replica key. */
  async replicateRing(): Promise<{ tx: string; via: string }> {
    return this.register(this.ring, await this.memberSigner(0), (await this.ringKeys()).replicaKey);
  }

  /** Member `index`'s avatar key as a signer on the chain. */
  async memberSigner(index: number): Promise<Wallet> {
    const identity = await loadKeystore((this.ringNodes[index] as LiveNode).dataDir, DEVNET_PASSWORD);
    return new Wallet(hexlify(identity.privateKey), this.options.chain.provider);
  }

  /** A light client (no node) in a ring of its own: registered with the replica ring, then FlushToRing of one message. */
  async flushFromLightClient(text: string): Promise<{ avatar: string; ring: string; state: string; tx: string; head: string }> {
    const { chain, addresses, engine } = this.options;
    const avatar = new Wallet(hexlify(randomBytes(32)), chain.provider);
    const ring = await createRing(RingFactory__factory.connect(addresses.factory, engine), [avatar.address], await engine.getAddress());
    const keys = generateRingKeys();
    await this.register(ring, avatar, keys.replicaKey);
    const log = new AvatarLog({ signer: avatar, ring, chainId: (await chain.provider.getNetwork()).chainId, readKey: keys.readKey });
    await log.append({ text });
    const forwarder = await readForwarderInfo(chain.provider, addresses.forwarder);
    const nonce = await nextForwarderNonce(chain.provider, addresses.forwarder, avatar.address);
    const client = new RingsRpcClient(await this.rpcUrl(this.replicaNodes[0] as LiveNode));
    const status = await client.flushToRing(await buildFlushToRing({ signer: avatar, ring, replicaKey: keys.replicaKey, forwarder, logNodes: log.pending(), nonce }));
    const finished = status.state === "relayed" ? status : await client.waitForFlush(status.id, { timeoutMs: 60_000 });
    const head = await Ring__factory.connect(ring, chain.provider).logNodeHeads(avatar.address);
    return { avatar: avatar.address, ring, state: finished.state, tx: String(finished.tx), head: headLabel(head) };
  }

  /** `ring-node submit` of the word-count job at member 1 (progress on stderr), then its finalised status. */
  async submitWordCount(): Promise<WordCountResult> {
    const submitter = this.ringNodes[1 % this.ringNodes.length] as LiveNode;
    const corpus = path.join(REPO_ROOT, "examples", "data", "corpus");
    const chapters = ["chapter-01.txt", "chapter-02.txt"].map((file) => ["--input-file", path.join(corpus, file)]).flat();
    const args = [RING_NODE_BIN, "submit", "--data-dir", submitter.dataDir, "--code", path.join(REPO_ROOT, "examples", "jobs", "wordcount.js"), ...chapters];
    // The chain is new at every start but the logs are kept: a job they already hold would be
    // finalised again by the first relayer up, before the ring is complete. Each start submits its
    // own job (same text, same output) so that the ring does the work in front of the user.
    const params = { top: 5, start: new Date().toISOString() };
    args.push("--shards", "4", "--redundancy", "2", "--pin", String(OUTPUT_PIN), "--params", JSON.stringify(params), "--no-wait", "--json");
    const { stdout } = await run(process.execPath, args, { env: { ...process.env, ...nodeEnv() }, timeout: 120_000 });
    const submitted = JSON.parse(stdout) as { job: string };
    console.log(`submitted job ${submitted.job} at ${submitter.name}`);
    const client = await JobsClient.forDataDir(submitter.dataDir);
    let last = "";
    const status = await client.waitFinalised(
      submitted.job,
      300_000,
      (s) => {
        this.jobs.set(s.job, s);
        const line = `  ${s.status}: ${s.shardsDone}/${s.shards} shards agreed${s.round === undefined ? "" : `, round ${s.round}`}`;
        if (line !== last) console.log((last = line));
      },
      200,
    );
    this.jobs.set(status.job, status);
    const value = status.output?.value as { words?: number; top?: [string, number][] } | undefined;
    const summary = `${value?.words ?? "?"} words; ${(value?.top ?? []).map(([word, count]) => `${word} ${count}`).join(", ")}`;
    return { job: status.job, round: status.round ?? 0, tx: status.tx ?? null, ringNodeHead: status.ringNodeHead ?? "", outputCid: status.output?.cid ?? "", summary };
  }

  async memberHeads(): Promise<[string, string][]> {
    const ring = Ring__factory.connect(this.ring, this.options.chain.provider);
    return Promise.all(this.ringNodes.map(async (node) => [node.address, headLabel(await ring.logNodeHeads(node.address))] as [string, string]));
  }

  nodeViews(): object[] {
    return [...this.ringNodes, ...this.replicaNodes].map((node) => ({
      name: node.name,
      role: node.role,
      address: node.address,
      pid: node.process.child.pid,
      alive: node.process.child.exitCode === null && node.process.child.signalCode === null,
      listen: node.process.info.multiaddrs[0] ?? "",
    }));
  }

  jobViews(): object[] {
    return [...this.jobs.values()].map((job) => ({ id: job.job, status: job.status, round: job.round, result: JSON.stringify((job.output?.value as { top?: unknown } | undefined)?.top ?? null) }));
  }

  /** Stops every node cleanly (SIGTERM, then SIGKILL after a grace period). */
  async stop(): Promise<void> {
    await Promise.all([...this.ringNodes, ...this.replicaNodes].map((node) => node.process.stop()));
  }
}
