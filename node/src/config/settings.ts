/**
 * Where each setting can be given: its `config.json` key (dotted for a section), its flag and its
 * environment variable, and how a flag's or variable's text becomes the value the schema checks.
 * The CLI builds its options from this list (cli/options.ts); configFromEnv reads the variables.
 * An empty text means "not given", as an unset variable does.
 */
import { ConfigError, type SettingNames } from "./errors.js";

export interface Setting extends SettingNames {
  /** Commander's flag syntax, e.g. `--jobs-port <port>`. */
  flag: string;
  env: string;
  help: string;
  /** The text of a flag or variable as a value (`previous`: the value so far, for repeatable flags). */
  parse(text: string, previous?: unknown): unknown;
  /** Not a key of config.json (where config.json lives). */
  notInFile?: true;
}

const text = (value: string) => value;

function integer(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isInteger(parsed)) throw new Error(`must be an integer, got ${JSON.stringify(value)}`);
  return parsed;
}

function onOff(value: string): boolean {
  if (/^(on|true|1|yes)$/i.test(value)) return true;
  if (/^(off|false|0|no)$/i.test(value)) return false;
  throw new Error(`must be on or off (true/false, 1/0, yes/no), got ${JSON.stringify(value)}`);
}

/** A comma-separated list; a repeated flag adds to it. */
function list(value: string, previous?: unknown): string[] {
  const items = value.split(",").map((item) => item.trim()).filter((item) => item !== "");
  return [...(Array.isArray(previous) ? (previous as string[]) : []), ...items];
}

function setting(key: string, flag: string, env: string, help: string, parse: Setting["parse"], extra: Partial<Setting> = {}): Setting {
  return { key, flag, env, help, parse, ...extra };
}

export const SETTINGS: readonly Setting[] = [
  setting("dataDir", "-d, --data-dir <dir>", "RING_NODE_DATA_DIR", "data directory (default ~/.ring-node)", text, { notInFile: true }),
  setting("listen", "--listen <multiaddr>", "RING_NODE_LISTEN", "libp2p listen address, repeatable or comma-separated", list),
  setting("peers", "--peer <multiaddr>", "RING_NODE_PEERS", "peer to dial, with /p2p/<PeerId>, repeatable or comma-separated", list),
  setting("rpcUrl", "--rpc-url <url>", "RING_NODE_RPC_URL", "JSON-RPC URL of the chain", text),
  setting("ring", "--ring <address>", "RING_NODE_RING", "Ring contract address", text),
  setting("factory", "--factory <address>", "RING_NODE_FACTORY", "RingFactory: serve blocks to the replica rings this ring is registered with (default none)", text),
  setting("restoreFrom", "--restore-from <url>", "RING_NODE_RESTORE_FROM", "replica node JSON-RPC URL to restore the own log from (GetReplicaLog), repeatable or comma-separated", list),
  setting("controlPort", "--control-port <port>", "RING_NODE_CONTROL_PORT", "local control endpoint port, 0 = any", integer),
  setting("publishNodeInfo", "--publish-node-info <on|off>", "RING_NODE_PUBLISH_NODE_INFO", "publish this node's multiaddr and PeerId on chain (default on)", onOff),
  setting("publicRing", "--public-ring <on|off>", "RING_NODE_PUBLIC_RING", "expect a public ring (created with `ring create --public`): refuse to start if the chain does not record it so; a public ring is written in the clear either way", onOff),
  setting("fetchTimeoutMs", "--fetch-timeout-ms <ms>", "RING_NODE_FETCH_TIMEOUT_MS", "bound on one block fetch or log-sync wait", integer),
  setting("chainPollMs", "--chain-poll-ms <ms>", "RING_NODE_CHAIN_POLL_MS", "chain polling interval", integer),
  setting("headExchangeMs", "--head-exchange-ms <ms>", "RING_NODE_HEAD_EXCHANGE_MS", "interval of direct head exchange with members", integer),
  setting("membershipSubmitDelayMs", "--membership-submit-delay-ms <ms>", "RING_NODE_MEMBERSHIP_SUBMIT_DELAY_MS", "turn of each signer submitting a passing membership vote (default 3000)", integer),
  setting("logLevel", "--log-level <level>", "RING_NODE_LOG_LEVEL", "fatal|error|warn|info|debug|trace|silent", text),
  setting("relay.offer", "--relay <on|off>", "RING_NODE_RELAY", "offer circuit relay v2 to the ring's members (default off)", onOff),
  setting("relay.maxReservations", "--relay-slots <n>", "RING_NODE_RELAY_SLOTS", "relay reservation slots (default 16)", integer),
  setting("relay.reservationTtlMs", "--relay-reservation-ttl-ms <ms>", "RING_NODE_RELAY_RESERVATION_TTL_MS", "how long a relay reservation lasts (default 2 h)", integer),
  setting("rounds.gate", "--gate <address>", "RING_NODE_GATE", "Gate for the rounds' outputs (default none)", text),
  setting("rounds.jobsPort", "--jobs-port <port>", "RING_NODE_JOBS_PORT", "port of the jobs endpoint on 127.0.0.1, 0 = any", integer),
  setting("rounds.flushGasLimit", "--flush-gas-limit <gas>", "RING_NODE_FLUSH_GAS_LIMIT", "most gas one flush may take: bounds the jobs of a round (default 15000000)", integer),
  setting("rounds.relayerTimeoutMs", "--relayer-timeout-ms <ms>", "RING_NODE_RELAYER_TIMEOUT_MS", "next relayer after this long without a flush (default 4000)", integer),
  setting("rounds.shardTimeoutMs", "--shard-timeout-ms <ms>", "RING_NODE_SHARD_TIMEOUT_MS", "one more member per shard after this long without majority (default 3000)", integer),
  setting("rounds.keepFinalisedJobs", "--keep-finalised-jobs <n>", "RING_NODE_KEEP_FINALISED_JOBS", "finalised jobs kept in memory; older ones are read from disk (default 1024)", integer),
  setting("rounds.jobQueue", "--job-queue <address>", "RING_NODE_JOB_QUEUE", "JobQueue whose queued jobs for this ring the member takes in (default none)", text),
  setting("rounds.jobQueueFromBlock", "--job-queue-from-block <n>", "RING_NODE_JOB_QUEUE_FROM_BLOCK", "block the JobQueue's events are read from (default 0)", integer),
  setting("jsonrpc.enabled", "--jsonrpc <on|off>", "RING_NODE_JSONRPC", "serve JSON-RPC (default on)", onOff),
  setting("jsonrpc.host", "--jsonrpc-host <host>", "RING_NODE_JSONRPC_HOST", "JSON-RPC listen address (default 127.0.0.1)", text),
  setting("jsonrpc.port", "--jsonrpc-port <port>", "RING_NODE_JSONRPC_PORT", "JSON-RPC port, 0 = any", integer),
  setting("jsonrpc.maxBodyBytes", "--jsonrpc-max-body <bytes>", "RING_NODE_JSONRPC_MAX_BODY", "JSON-RPC body size limit (default 1 MiB)", integer),
  setting("jsonrpc.relayWaitMs", "--jsonrpc-relay-wait-ms <ms>", "RING_NODE_JSONRPC_RELAY_WAIT_MS", 'how long FlushToRing waits for its relay before answering "received" (default 30000)', integer),
  setting("jsonrpc.forwarder", "--forwarder <address>", "RING_NODE_FORWARDER", "the ERC-2771 forwarder (default: the one the ring trusts)", text),
  setting("jsonrpc.replicaRing", "--replica-ring <address>", "RING_NODE_REPLICA_RING", "the ReplicaRing this node's ring serves", text),
  setting("jsonrpc.publicUrl", "--jsonrpc-public-url <url>", "RING_NODE_JSONRPC_PUBLIC_URL", "the JSON-RPC URL a replica node publishes on its ReplicaRing for clients (default: the one it listens on)", text),
  setting("metrics.enabled", "--metrics <on|off>", "RING_NODE_METRICS", "serve Prometheus metrics (default on)", onOff),
  setting("metrics.host", "--metrics-host <host>", "RING_NODE_METRICS_HOST", "metrics listen address (default 127.0.0.1)", text),
  setting("metrics.port", "--metrics-port <port>", "RING_NODE_METRICS_PORT", "metrics port, 0 = any", integer),
];

/** The long flag alone (`--jobs-port`), as it names the setting in messages. */
export function longFlag(setting: Setting): string {
  return /--[a-z0-9-]+/.exec(setting.flag)?.[0] ?? setting.flag;
}

/** The setting's names for a ConfigError (flag without its argument). */
export function namesOf(setting: Setting): SettingNames {
  return { key: setting.key, flag: longFlag(setting), env: setting.env };
}

export function settingAt(key: string): Setting | undefined {
  return SETTINGS.find((setting) => setting.key === key);
}

/** Parses a flag's or variable's text; "" is not given. A bad text is a ConfigError naming the setting. */
export function parseSetting(setting: Setting, text: string, source: "flag" | "environment", previous?: unknown): unknown {
  if (text === "") return previous;
  try {
    return setting.parse(text, previous);
  } catch (error) {
    throw new ConfigError((error as Error).message, namesOf(setting), source);
  }
}
