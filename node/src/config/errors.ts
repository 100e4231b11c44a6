/** Why the node's settings could not be resolved. */

/** Where one setting can be given: its `config.json` key, its flag and its environment variable. */
export interface SettingNames {
  /** The key in `config.json`, dotted for a section's setting (`rounds.gate`). */
  key: string;
  flag?: string;
  env?: string;
}

/** Where a bad value came from. */
export type SettingSource = "flag" | "environment" | "config.json" | "default";

/** A bad setting (named by key, flag and environment variable) or an unreadable config file. */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** The setting at fault, when the error is about one. */
  readonly setting: SettingNames | undefined;
  readonly source: SettingSource | undefined;

  constructor(message: string, setting?: SettingNames, source?: SettingSource) {
    super(setting === undefined ? message : `${describeSetting(setting)}${source === undefined ? "" : ` from the ${source}`}: ${message}`);
    this.setting = setting;
    this.source = source;
  }
}

/** `rounds.gate (flag --gate, env RING_NODE_GATE, config.json "rounds.gate")`. */
export function describeSetting(setting: SettingNames): string {
  const names = [setting.flag === undefined ? undefined : `flag ${setting.flag}`, setting.env === undefined ? undefined : `env ${setting.env}`, `config.json "${setting.key}"`];
  return `${setting.key} (${names.filter((name) => name !== undefined).join(", ")})`;
}
