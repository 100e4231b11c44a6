/**
 * The flags of `init` and `start`: one commander `Option` per setting of config/settings.ts, with
 * its environment variable (`.env()`, so `--help` names it). Commander only collects the flags'
 * text; config/ parses it, so a flag and its variable are read the same way and a bad value is a
 * ConfigError naming the setting and its source. The precedence is config/config.ts's.
 */
import { Option, type Command } from "commander";
import { setValueAt, type PartialNodeConfig } from "../config/config.js";
import { parseSetting, SETTINGS, type Setting } from "../config/settings.js";

const repeatable = (setting: Setting) => setting.key === "listen" || setting.key === "peers";
const collect = (value: string, previous: unknown) => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

function optionOf(setting: Setting): Option {
  const option = new Option(setting.flag, setting.help).env(setting.env);
  return repeatable(setting) ? option.argParser(collect) : option;
}

export function addNodeOptions(command: Command): Command {
  for (const setting of SETTINGS) {
    command.addOption(optionOf(setting));
    if (setting.key === "publishNodeInfo") command.addOption(new Option("--no-publish-node-info", "the same as --publish-node-info off"));
  }
  return command;
}

/** The settings of the flags actually given (not defaults, not the environment: config/ reads that). */
export function flagsToConfig(flags: Record<string, unknown>, command: Command): PartialNodeConfig {
  const config: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const name = new Option(setting.flag).attributeName();
    if (command.getOptionValueSource(name) !== "cli") continue;
    const given = flags[name];
    let value: unknown;
    if (typeof given === "boolean") value = given; // --no-publish-node-info
    else if (Array.isArray(given)) value = (given as string[]).reduce<unknown>((previous, text) => parseSetting(setting, text, "flag", previous), undefined);
    else if (typeof given === "string") value = parseSetting(setting, given, "flag");
    if (value !== undefined) setValueAt(config, setting.key, value);
  }
  return config;
}
