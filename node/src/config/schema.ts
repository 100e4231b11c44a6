/**
 * The node's settings as one zod schema: the node's own settings at the top level and one section
 * per service (`rounds`, `jsonrpc`, `metrics`), each with today's defaults. Where each setting
 * can be given (flag, environment variable) is in settings.ts.
 */
import { getAddress, isAddress, ZeroAddress } from "ethers";
import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an 0x-prefixed 20-byte address");
/** An address in its checksummed form (a mixed-case address must carry a valid checksum). */
const checksummed = z
  .string()
  .refine((value) => isAddress(value), "an 0x-prefixed 20-byte address (with a valid checksum if mixed-case)")
  .transform((value) => getAddress(value));
const port = z.number().int().min(0).max(65_535);
const nonNegative = z.number().int().min(0);
const host = z.string().min(1);

export const roundsSchema = z.object({
  /** Gate for outputs (the zero address: rounds carry no on-chain outputs). */
  gate: checksummed.default(ZeroAddress),
  /** Port of the jobs endpoint on 127.0.0.1 (0: any free port, recorded in jobs-rpc.json). */
  jobsPort: port.default(0),
  /** The next relayer takes over after this long without a flush. */
  relayerTimeoutMs: nonNegative.default(4_000),
  /** One more member per shard after this long without a majority. */
  shardTimeoutMs: nonNegative.default(3_000),
  /** Finalised jobs kept in memory (the latest); older ones are answered from the datastore. */
  keepFinalisedJobs: nonNegative.default(1_024),
  /** Most gas one flush may take: bounds the jobs one round carries (rounds/flushBudget.ts). */
  flushGasLimit: z.number().int().min(1_000_000).default(15_000_000),
  /** The JobQueue whose queued jobs for this ring the member takes in (the zero address: none). */
  jobQueue: checksummed.default(ZeroAddress),
  /** The block the queue's events are read from (its deployment block, or later). */
  jobQueueFromBlock: nonNegative.default(0),
});

export const relaySchema = z.object({
  /**
   * Offer libp2p circuit relay v2 to the ring's members (members with a public address): a member
   * that cannot be dialled reserves a slot here and is reached through it. Only members may
   * reserve, and only between members are circuits opened (the connection gater checks both ends
   * against the chain), so relayed connections carry no data or duration limit: replication,
   * votes and JSON-RPC clients' traffic all run over them.
   */
  offer: z.boolean().default(false),
  /** Reservation slots this relay holds at once. */
  maxReservations: z.number().int().positive().default(16),
  /** How long a reservation lasts before the member must renew it (libp2p renews it itself). */
  reservationTtlMs: z.number().int().positive().default(2 * 60 * 60 * 1000),
});

export const jsonRpcSchema = z
  .object({
    /** Serve FlushToRing, ReplicateRing, GetFlushStatus and GetReplicaLog. */
    enabled: z.boolean().default(true),
    /** Listen address (0.0.0.0 to serve other hosts). */
    host: host.default("127.0.0.1"),
    /** Port (0: any free port, recorded in jsonrpc.json). */
    port: port.default(0),
    /** Body size limit in bytes (the service's default: 1 MiB). */
    maxBodyBytes: nonNegative.optional(),
    /** How long FlushToRing waits for its relay before answering "received" (the service's default: 30 s). */
    relayWaitMs: nonNegative.optional(),
    /** The ERC-2771 forwarder (default: the one the node's ring trusts). */
    forwarder: checksummed.optional(),
    /** The ReplicaRing this node's ring serves: its registered client rings are followed and replicated. */
    replicaRing: checksummed.optional(),
    /** The URL a replica node publishes on its ReplicaRing (`setEndpoint`) for clients to call (default: the URL it listens on). */
    publicUrl: z.string().max(256).url().regex(/^https?:\/\//i, "an http(s) URL").optional(),
  })
  // Every key present (unset ones as undefined), as the service's settings object has them.
  .transform(({ maxBodyBytes, relayWaitMs, forwarder, replicaRing, publicUrl, ...rest }) => ({ ...rest, maxBodyBytes, relayWaitMs, forwarder, replicaRing, publicUrl }));

export const metricsSchema = z.object({
  /** Serve Prometheus metrics at GET /metrics. */
  enabled: z.boolean().default(true),
  host: host.default("127.0.0.1"),
  /** Port (0: any free port, recorded in metrics.json). */
  port: port.default(0),
});

export const nodeConfigSchema = z.object({
  dataDir: z.string().min(1),
  /** libp2p listen multiaddrs: TCP, and `/p2p-circuit` to be reached through a relay member. */
  listen: z.array(z.string()).default(["/ip4/127.0.0.1/tcp/0"]),
  /** Multiaddrs of peers to dial at start and keep connected (local runs, bootstrap). */
  peers: z.array(z.string()).default([]),
  /** JSON-RPC URL of the chain the ring lives on. */
  rpcUrl: z.string().url().optional(),
  /** The Ring contract. */
  ring: address.optional(),
  /**
   * The RingFactory: the members of the replica rings (its replicaRings) that this node's ring is
   * registered with may fetch this node's blocks. Unset: only the ring's members and the rings
   * authorised on its Gate are served.
   */
  factory: checksummed.optional(),
  /**
   * JSON-RPC URLs of replica nodes (of replica rings this ring is registered with) a member restores
   * its own log from with GetReplicaLog when its store holds less than the chain names for it.
   */
  restoreFrom: z.array(z.string().url()).default([]),
  /** Local control endpoint port on 127.0.0.1 (0 = any free port, recorded in control.json). */
  controlPort: port.default(0),
  /** Publish this node's multiaddr and PeerId on chain (`Ring.setNodeInfo`) when they change. */
  publishNodeInfo: z.boolean().default(true),
  /**
   * Expect a public ring. Whether a ring is public is the ring's, fixed at its creation
   * (`RingFactory.createPublicRing`, chain/ringVisibility.ts): its members write in the clear and
   * exchange no read keys; every other ring seals what is not needed in the clear for verification
   * (replica/readKeys.ts). On: the node refuses to start for a ring the chain does not record as public.
   */
  publicRing: z.boolean().default(false),
  /** How long one block fetch (bitswap) or log-sync request may take before it is abandoned. */
  fetchTimeoutMs: z.number().int().positive().default(10_000),
  /** How often the chain view polls the chain. */
  chainPollMs: z.number().int().positive().default(1_000),
  /** How often heads are exchanged with every connected member (pubsub does not guarantee delivery). */
  headExchangeMs: z.number().int().positive().default(5_000),
  /** Members that signed a passing membership vote submit it in address order, this far apart. */
  membershipSubmitDelayMs: z.number().int().nonnegative().default(3_000),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  relay: relaySchema.default({}),
  rounds: roundsSchema.default({}),
  jsonrpc: jsonRpcSchema.default({}),
  metrics: metricsSchema.default({}),
});

export type NodeConfig = z.infer<typeof nodeConfigSchema>;
/** What one source (flags, environment, config.json) gives: any subset, sections partial too. */
export type PartialNodeConfig = Partial<z.input<typeof nodeConfigSchema>>;
export type RoundsSettings = z.infer<typeof roundsSchema>;
export type RelaySettings = z.infer<typeof relaySchema>;
export type JsonRpcSettings = z.infer<typeof jsonRpcSchema>;
export type MetricsSettings = z.infer<typeof metricsSchema>;
