/** Flags shared by the commands, mapped onto the config schema's fields. */
import type { Command } from "commander";
import type { PartialNodeConfig } from "../config/config.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addNodeOptions(command: Command): Command {
  return command
    .option("-d, --data-dir <dir>", "data directory (env RING_NODE_DATA_DIR, default ~/.ring-node)")
    .option("--listen <multiaddr>", "libp2p listen address, repeatable (env RING_NODE_LISTEN, comma-separated)", collect)
    .option("--peer <multiaddr>", "peer to dial, with /p2p/<PeerId>, repeatable (env RING_NODE_PEERS)", collect)
    .option("--rpc-url <url>", "JSON-RPC URL of the chain (env RING_NODE_RPC_URL)")
    .option("--ring <address>", "Ring contract address (env RING_NODE_RING)")
    .option("--control-port <port>", "local control endpoint port, 0 = any (env RING_NODE_CONTROL_PORT)", (v) => Number(v))
    .option("--fetch-timeout-ms <ms>", "bound on one block fetch or log-sync wait (env RING_NODE_FETCH_TIMEOUT_MS)", (v) => Number(v))
    .option("--chain-poll-ms <ms>", "chain polling interval (env RING_NODE_CHAIN_POLL_MS)", (v) => Number(v))
    .option("--head-exchange-ms <ms>", "interval of direct head exchange with members (env RING_NODE_HEAD_EXCHANGE_MS)", (v) => Number(v))
    .option("--no-publish-node-info", "do not publish this node's multiaddr and PeerId on chain")
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent (env RING_NODE_LOG_LEVEL)");
}

interface NodeFlags {
  dataDir?: string;
  listen?: string[];
  peer?: string[];
  rpcUrl?: string;
  ring?: string;
  controlPort?: number;
  fetchTimeoutMs?: number;
  chainPollMs?: number;
  headExchangeMs?: number;
  publishNodeInfo?: boolean;
  logLevel?: string;
}

/** Only the flags actually given (commander's `--no-x` default of true counts as not given). */
export function flagsToConfig(flags: NodeFlags, command: Command): PartialNodeConfig {
  const given = (name: string) => command.getOptionValueSource(name) === "cli";
  const config: PartialNodeConfig = {};
  if (flags.dataDir !== undefined) config.dataDir = flags.dataDir;
  if (flags.listen !== undefined) config.listen = flags.listen;
  if (flags.peer !== undefined) config.peers = flags.peer;
  if (flags.rpcUrl !== undefined) config.rpcUrl = flags.rpcUrl;
  if (flags.ring !== undefined) config.ring = flags.ring;
  if (flags.controlPort !== undefined) config.controlPort = flags.controlPort;
  if (flags.fetchTimeoutMs !== undefined) config.fetchTimeoutMs = flags.fetchTimeoutMs;
  if (flags.chainPollMs !== undefined) config.chainPollMs = flags.chainPollMs;
  if (flags.headExchangeMs !== undefined) config.headExchangeMs = flags.headExchangeMs;
  if (flags.publishNodeInfo === false && given("publishNodeInfo")) config.publishNodeInfo = false;
  if (flags.logLevel !== undefined) config.logLevel = flags.logLevel as PartialNodeConfig["logLevel"];
  return config;
}
