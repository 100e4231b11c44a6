import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Command } from "commander";
import { ZeroAddress } from "ethers";
import { addNodeOptions, flagsToConfig } from "../../../node/src/cli/options.js";
import { CONFIG_FILE, resolveConfig, writeConfigFile, type NodeConfig, type PartialNodeConfig } from "../../../node/src/config/config.js";
import { ConfigError } from "../../../node/src/config/errors.js";
import { SETTINGS } from "../../../node/src/config/settings.js";

const GATE = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER_GATE = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

/** The flags of `ring-node start` as commander parses them (no process: argv is given). */
function flags(...args: string[]): PartialNodeConfig {
  const command = addNodeOptions(new Command("start")).exitOverride();
  command.parse(args, { from: "user" });
  return flagsToConfig(command.opts(), command);
}

async function thrown(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("config: one schema, four sources", function () {
  let dataDir: string;
  const resolveWith = (given: PartialNodeConfig, env: NodeJS.ProcessEnv = {}): Promise<NodeConfig> => resolveConfig({ dataDir, ...given }, env);
  const writeConfigJson = (config: unknown) => writeFile(join(dataDir, CONFIG_FILE), JSON.stringify(config));

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "rings-config-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("fills every section with today's defaults when nothing is given", async () => {
    const config = await resolveWith({});
    expect(config.rounds).to.deep.equal({ gate: ZeroAddress, jobsPort: 0, relayerTimeoutMs: 4_000, shardTimeoutMs: 3_000, keepFinalisedJobs: 1_024, flushGasLimit: 15_000_000, jobQueue: ZeroAddress, jobQueueFromBlock: 0 });
    expect(config.jsonrpc).to.deep.equal({ enabled: true, host: "127.0.0.1", port: 0, maxBodyBytes: undefined, relayWaitMs: undefined, forwarder: undefined, replicaRing: undefined, publicUrl: undefined });
    expect(config.metrics).to.deep.equal({ enabled: true, host: "127.0.0.1", port: 0 });
    expect(config.controlPort).to.equal(0);
    expect(config.publishNodeInfo).to.equal(true);
  });

  it("reads each section's settings from today's environment variables", async () => {
    const config = await resolveWith({}, {
      RING_NODE_GATE: GATE.toLowerCase(),
      RING_NODE_JOBS_PORT: "7001",
      RING_NODE_RELAYER_TIMEOUT_MS: "2500",
      RING_NODE_SHARD_TIMEOUT_MS: "2000",
      RING_NODE_JOB_QUEUE: OTHER_GATE.toLowerCase(),
      RING_NODE_JOB_QUEUE_FROM_BLOCK: "12",
      RING_NODE_JSONRPC_HOST: "0.0.0.0",
      RING_NODE_JSONRPC_PORT: "7002",
      RING_NODE_JSONRPC_MAX_BODY: "2048",
      RING_NODE_JSONRPC_RELAY_WAIT_MS: "100",
      RING_NODE_FORWARDER: OTHER_GATE,
      RING_NODE_REPLICA_RING: GATE,
      RING_NODE_JSONRPC_PUBLIC_URL: "https://replica.example/rpc",
      RING_NODE_METRICS_HOST: "0.0.0.0",
      RING_NODE_METRICS_PORT: "7003",
    });
    expect(config.rounds).to.deep.equal({ gate: GATE, jobsPort: 7001, relayerTimeoutMs: 2500, shardTimeoutMs: 2000, keepFinalisedJobs: 1_024, flushGasLimit: 15_000_000, jobQueue: OTHER_GATE, jobQueueFromBlock: 12 });
    expect(config.jsonrpc).to.deep.equal({ enabled: true, host: "0.0.0.0", port: 7002, maxBodyBytes: 2048, relayWaitMs: 100, forwarder: OTHER_GATE, replicaRing: GATE, publicUrl: "https://replica.example/rpc" });
    expect(config.metrics).to.deep.equal({ enabled: true, host: "0.0.0.0", port: 7003 });
  });

  it('turns the JSON-RPC service and the metrics off with RING_NODE_JSONRPC=off and RING_NODE_METRICS=off', async () => {
    const config = await resolveWith({}, { RING_NODE_JSONRPC: "off", RING_NODE_METRICS: "OFF" });
    expect(config.jsonrpc.enabled).to.equal(false);
    expect(config.metrics.enabled).to.equal(false);
  });

  it("counts an empty environment variable as unset", async () => {
    const config = await resolveWith({}, { RING_NODE_GATE: "", RING_NODE_JOBS_PORT: "", RING_NODE_JSONRPC: "" });
    expect(config.rounds.gate).to.equal(ZeroAddress);
    expect(config.rounds.jobsPort).to.equal(0);
    expect(config.jsonrpc.enabled).to.equal(true);
  });

  it("reads sections from config.json", async () => {
    await writeConfigJson({ rounds: { jobsPort: 7101 }, jsonrpc: { enabled: false }, metrics: { port: 7102 } });
    const config = await resolveWith({});
    expect(config.rounds.jobsPort).to.equal(7101);
    expect(config.rounds.relayerTimeoutMs).to.equal(4_000);
    expect(config.jsonrpc.enabled).to.equal(false);
    expect(config.metrics.port).to.equal(7102);
  });

  it("takes every setting from a flag", async () => {
    const given = flags("--gate", GATE, "--jobs-port", "7201", "--jsonrpc", "off", "--jsonrpc-max-body", "512", "--replica-ring", GATE, "--jsonrpc-public-url", "http://10.0.0.7:8545/", "--metrics-port", "7202", "--listen", "/ip4/127.0.0.1/tcp/1", "--listen", "/ip4/127.0.0.1/tcp/2", "--no-publish-node-info");
    expect(given).to.deep.equal({
      listen: ["/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/2"],
      publishNodeInfo: false,
      rounds: { gate: GATE, jobsPort: 7201 },
      jsonrpc: { enabled: false, maxBodyBytes: 512, replicaRing: GATE, publicUrl: "http://10.0.0.7:8545/" },
      metrics: { port: 7202 },
    });
    const config = await resolveWith(given);
    expect(config.rounds.jobsPort).to.equal(7201);
    expect(config.jsonrpc.enabled).to.equal(false);
    expect(config.metrics.port).to.equal(7202);
  });

  it("gives a flag precedence over the environment, the environment over config.json, config.json over the default", async () => {
    await writeConfigJson({ rounds: { gate: GATE, jobsPort: 1, relayerTimeoutMs: 1 } });
    const env = { RING_NODE_JOBS_PORT: "2", RING_NODE_RELAYER_TIMEOUT_MS: "2" };
    const config = await resolveWith(flags("--relayer-timeout-ms", "3"), env);
    expect(config.rounds).to.deep.equal({ gate: GATE, jobsPort: 2, relayerTimeoutMs: 3, shardTimeoutMs: 3_000, keepFinalisedJobs: 1_024, flushGasLimit: 15_000_000, jobQueue: ZeroAddress, jobQueueFromBlock: 0 });
  });

  it("writes sections to config.json and reads them back", async () => {
    await writeConfigFile(dataDir, { ring: GATE, rounds: { gate: OTHER_GATE }, metrics: { enabled: false } });
    expect(JSON.parse(await readFile(join(dataDir, CONFIG_FILE), "utf8"))).to.deep.equal({ ring: GATE, rounds: { gate: OTHER_GATE }, metrics: { enabled: false } });
    const config = await resolveWith({});
    expect(config.rounds.gate).to.equal(OTHER_GATE);
    expect(config.metrics.enabled).to.equal(false);
  });

  it("names the setting (key, flag, variable) and the environment for a bad variable", async () => {
    const error = await thrown(resolveWith({}, { RING_NODE_JOBS_PORT: "seven" }));
    expect(error.setting).to.deep.equal({ key: "rounds.jobsPort", flag: "--jobs-port", env: "RING_NODE_JOBS_PORT" });
    expect(error.source).to.equal("environment");
    expect(error.message).to.contain("rounds.jobsPort").and.contain("--jobs-port").and.contain("RING_NODE_JOBS_PORT").and.contain("seven");
  });

  it("names the setting and config.json for a bad value in the file", async () => {
    await writeConfigJson({ metrics: { port: 70_000 } });
    const error = await thrown(resolveWith({}));
    expect(error.setting).to.deep.equal({ key: "metrics.port", flag: "--metrics-port", env: "RING_NODE_METRICS_PORT" });
    expect(error.source).to.equal("config.json");
    expect(error.message).to.contain("70000");
  });

  it("names the setting and the flag for a bad flag, whether its text or its value is wrong", async () => {
    expect(() => flags("--jsonrpc", "maybe")).to.throw(ConfigError).with.property("source", "flag");
    const error = await thrown(resolveWith(flags("--gate", "0x1234")));
    expect(error.setting).to.deep.equal({ key: "rounds.gate", flag: "--gate", env: "RING_NODE_GATE" });
    expect(error.source).to.equal("flag");
  });

  it("lists every setting once with a flag and a variable, and leaves the test-only RING_NODE_FAULT out", () => {
    const envs = SETTINGS.map((setting) => setting.env);
    const longFlags = SETTINGS.map((setting) => /--[a-z-]+/.exec(setting.flag)?.[0]);
    expect(new Set(envs).size).to.equal(SETTINGS.length);
    expect(new Set(longFlags).size).to.equal(SETTINGS.length);
    expect(new Set(SETTINGS.map((setting) => setting.key)).size).to.equal(SETTINGS.length);
    expect(envs).to.not.include("RING_NODE_FAULT");
  });
});
