/**
 * The node's settings, from (lowest to highest precedence) defaults, `<dataDir>/config.json`,
 * RING_NODE_* environment variables and command-line flags.
 */
import { readFile, writeFile, mkdir, rename } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

export const CONFIG_FILE = "config.json";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an 0x-prefixed 20-byte address");

export const nodeConfigSchema = z.object({
  dataDir: z.string().min(1),
  /** libp2p listen multiaddrs (TCP). */
  listen: z.array(z.string()).default(["/ip4/127.0.0.1/tcp/0"]),
  /** Multiaddrs of peers to dial at start and keep connected (local runs, bootstrap). */
  peers: z.array(z.string()).default([]),
  /** JSON-RPC URL of the chain the ring lives on. */
  rpcUrl: z.string().url().optional(),
  /** The Ring contract. */
  ring: address.optional(),
  /** Local control endpoint port on 127.0.0.1 (0 = any free port, recorded in control.json). */
  controlPort: z.number().int().min(0).max(65535).default(0),
  /** Publish this node's multiaddr and PeerId on chain (`Ring.setNodeInfo`) when they change. */
  publishNodeInfo: z.boolean().default(true),
  /** How long one block fetch (bitswap) or log-sync request may take before it is abandoned. */
  fetchTimeoutMs: z.number().int().positive().default(10_000),
  /** How often the chain view polls the chain. */
  chainPollMs: z.number().int().positive().default(1_000),
  /** How often heads are exchanged with every connected member (pubsub does not guarantee delivery). */
  headExchangeMs: z.number().int().positive().default(5_000),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type NodeConfig = z.infer<typeof nodeConfigSchema>;
export type PartialNodeConfig = Partial<z.input<typeof nodeConfigSchema>>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.RING_NODE_DATA_DIR !== undefined && env.RING_NODE_DATA_DIR !== "" ? resolve(env.RING_NODE_DATA_DIR) : join(homedir(), ".ring-node");
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined || value === "") return undefined;
  return value.split(",").map((item) => item.trim()).filter((item) => item !== "");
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new ConfigError(`${name} must be an integer, got ${value}`);
  return parsed;
}

function boolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, got ${value}`);
}

/** The settings RING_NODE_* variables carry. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): PartialNodeConfig {
  const config: PartialNodeConfig = {
    listen: list(env.RING_NODE_LISTEN),
    peers: list(env.RING_NODE_PEERS),
    rpcUrl: env.RING_NODE_RPC_URL === "" ? undefined : env.RING_NODE_RPC_URL,
    ring: env.RING_NODE_RING === "" ? undefined : env.RING_NODE_RING,
    controlPort: integer("RING_NODE_CONTROL_PORT", env.RING_NODE_CONTROL_PORT),
    publishNodeInfo: boolean("RING_NODE_PUBLISH_NODE_INFO", env.RING_NODE_PUBLISH_NODE_INFO),
    fetchTimeoutMs: integer("RING_NODE_FETCH_TIMEOUT_MS", env.RING_NODE_FETCH_TIMEOUT_MS),
    chainPollMs: integer("RING_NODE_CHAIN_POLL_MS", env.RING_NODE_CHAIN_POLL_MS),
    headExchangeMs: integer("RING_NODE_HEAD_EXCHANGE_MS", env.RING_NODE_HEAD_EXCHANGE_MS),
    logLevel: env.RING_NODE_LOG_LEVEL as PartialNodeConfig["logLevel"],
  };
  return withoutUndefined(config);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export async function readConfigFile(dataDir: string): Promise<PartialNodeConfig> {
  let text: string;
  try {
    text = await readFile(join(dataDir, CONFIG_FILE), "utf8");
  } catch {
    return {};
  }
  try {
    return JSON.parse(text) as PartialNodeConfig;
  } catch (error) {
    throw new ConfigError(`${join(dataDir, CONFIG_FILE)} is not JSON: ${(error as Error).message}`);
  }
}

/** Writes the settings worth keeping (everything but the data directory itself) to config.json. */
export async function writeConfigFile(dataDir: string, config: PartialNodeConfig): Promise<void> {
  const { dataDir: _omit, ...rest } = config;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, CONFIG_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(withoutUndefined(rest), null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

/** Merges the sources in precedence order and validates the result. */
export async function resolveConfig(flags: PartialNodeConfig, env: NodeJS.ProcessEnv = process.env): Promise<NodeConfig> {
  const dataDir = resolve(flags.dataDir ?? defaultDataDir(env));
  const merged = { ...(await readConfigFile(dataDir)), ...configFromEnv(env), ...withoutUndefined(flags), dataDir };
  const parsed = nodeConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  }
  return parsed.data;
}
