/**
 * The node's settings, resolved from four sources. Precedence, highest first:
 *
 *   flag  >  environment variable (RING_NODE_*)  >  <dataDir>/config.json  >  default
 *
 * per setting, sections included (a flag for `rounds.jobsPort` leaves `rounds.gate` from the
 * environment or config.json alone). Every setting has all three (settings.ts lists them), except
 * the data directory, which config.json cannot name. A bad value is a ConfigError naming the
 * setting's key, flag and variable and the source it came from.
 */
import { readFile, mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, type SettingSource } from "./errors.js";
import { nodeConfigSchema, type NodeConfig, type PartialNodeConfig } from "./schema.js";
import { namesOf, parseSetting, SETTINGS, settingAt } from "./settings.js";
import { writePrivateFile } from "./privateDir.js";

export { nodeConfigSchema };
export type { JsonRpcSettings, MetricsSettings, NodeConfig, PartialNodeConfig, RoundsSettings } from "./schema.js";

export const CONFIG_FILE = "config.json";

type Layer = Record<string, unknown>;

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.RING_NODE_DATA_DIR !== undefined && env.RING_NODE_DATA_DIR !== "" ? resolve(env.RING_NODE_DATA_DIR) : join(homedir(), ".ring-node");
}

const isSection = (value: unknown): value is Layer => typeof value === "object" && value !== null && !Array.isArray(value);

/** The value at a dotted key (`rounds.gate`), if any. */
export function valueAt(config: object, key: string): unknown {
  let value: unknown = config;
  for (const part of key.split(".")) value = isSection(value) ? value[part] : undefined;
  return value;
}

/** Sets a dotted key, creating its section. */
export function setValueAt(config: Layer, key: string, value: unknown): void {
  const parts = key.split(".");
  const last = parts.pop() as string;
  let section = config;
  for (const part of parts) {
    if (!isSection(section[part])) section[part] = {};
    section = section[part] as Layer;
  }
  section[last] = value;
}

/** Merges sources, later ones winning per setting; sections merge key by key; undefined is "not given". */
export function mergeConfig(...sources: PartialNodeConfig[]): PartialNodeConfig {
  const merged: Layer = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      if (isSection(value) && isSection(merged[key])) merged[key] = mergeConfig(merged[key], value as PartialNodeConfig);
      else if (isSection(value)) merged[key] = mergeConfig(value as PartialNodeConfig);
      else merged[key] = value;
    }
  }
  return merged;
}

/** The settings RING_NODE_* variables carry (an empty variable counts as unset). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): PartialNodeConfig {
  const config: Layer = {};
  for (const setting of SETTINGS) {
    const text = env[setting.env];
    if (text === undefined || text === "") continue;
    const value = parseSetting(setting, text, "environment");
    setValueAt(config, setting.key, setting.key === "dataDir" ? resolve(value as string) : value);
  }
  return config;
}

export async function readConfigFile(dataDir: string): Promise<PartialNodeConfig> {
  const path = join(dataDir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not JSON: ${(error as Error).message}`);
  }
  if (!isSection(parsed)) throw new ConfigError(`${path} must hold a JSON object`);
  return parsed;
}

/** Writes the settings worth keeping (everything but the data directory itself) to config.json. */
export async function writeConfigFile(dataDir: string, config: PartialNodeConfig): Promise<void> {
  const { dataDir: _omit, ...rest } = config;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, CONFIG_FILE);
  await writePrivateFile(path, `${JSON.stringify(mergeConfig(rest), null, 2)}\n`);
}

/**
 * Merges the sources in precedence order and validates the result: the node's settings with every
 * section (`config.rounds`, `config.jsonrpc`, `config.metrics`) complete, defaults filled in.
 * `flags` are the flags actually given (cli/options.ts `flagsToConfig`); `env` is read here.
 */
export async function resolveConfig(flags: PartialNodeConfig, env: NodeJS.ProcessEnv = process.env): Promise<NodeConfig> {
  const fromEnv = configFromEnv(env);
  const dataDir = resolve(flags.dataDir ?? fromEnv.dataDir ?? defaultDataDir(env));
  const { dataDir: _ignored, ...fromFile } = await readConfigFile(dataDir);
  const sources: Array<[SettingSource, PartialNodeConfig]> = [
    ["config.json", fromFile],
    ["environment", fromEnv],
    ["flag", flags],
  ];
  const merged = { ...mergeConfig(...sources.map(([, source]) => source)), dataDir };
  const parsed = nodeConfigSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const [first, ...others] = parsed.error.issues;
  const key = (first?.path ?? []).join(".");
  const source = [...sources].reverse().find(([, config]) => valueAt(config, key) !== undefined)?.[0] ?? "default";
  const setting = settingAt(key);
  const more = others.length === 0 ? "" : ` (and ${others.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")})`;
  throw new ConfigError(`${first?.message ?? "invalid"}, got ${JSON.stringify(valueAt(merged, key))}${more}`, setting === undefined ? { key } : namesOf(setting), source);
}
