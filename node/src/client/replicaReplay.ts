/**
 * `replay` from a replica ring: a client holding the ring's read keys fetches every member's log
 * from a replica node's GetReplicaLog (newest first, page by page), verifies it as a member would
 * (log/verify.ts `verifyBatch`: CIDs, signatures, ring, author, seq and prev links from seq 0 up),
 * opens each entry with the read keys, checks the rounds against the chain (chainCuts.ts) and
 * builds the agreed order with the members' own code (core/messageOrder.ts): the final messages of
 * `app` in the same sequence a member's ReadMessages gives, up to the newest round checked.
 */
import { getAddress, getBytes } from "ethers";
import type { ReplicaLogAuth } from "../api/requests.js";
import type { RingReads } from "../chain/index.js";
import { cidOfBytes } from "../core/cid.js";
import { ringDomain } from "../core/eip712.js";
import { asMessage } from "../core/messageEntry.js";
import { MessageOrder, type OrderedMessage } from "../core/messageOrder.js";
import { verifyBatch, type ReceivedBlock } from "../log/verify.js";
import { keysReader } from "../replica/sealedLog.js";
import { chainCheckedCuts, cutAuthors, type ReplayLog } from "./chainCuts.js";
import { ReplayIncompleteError, ReplayNodeRefusedError } from "./errors.js";
import { openEntry } from "./replayVerify.js";
import type { CallOptions, RingsRpcClient } from "./ringsRpcClient.js";

export interface ReplicaReplayOptions {
  /** A replica node of a replica ring the ring is registered with, or any member of the ring (it serves its ring's logs the same way). */
  replica: Pick<RingsRpcClient, "replicaLogPages">;
  /** GetReplicaLog's authorisation for each member's log (client/requests.ts `replicaLogAuth`, `signReplicaLogAuth`). */
  auth: (member: string) => ReplicaLogAuth | Promise<ReplicaLogAuth>;
  chain: Pick<RingReads, "members" | "round" | "ringLog">;
  chainId: bigint | number;
  ring: string;
  /** The ring's read keys (every epoch's: readKeyFile.ts `readEpochKeys`). */
  readKeys: readonly Uint8Array[];
  app: string;
  /** Whose logs to fetch first (default: the ring's members on chain); authors the logged cuts name are fetched too. */
  members?: readonly string[];
  /** The most nodes of one member's log (default 100,000). */
  maxNodesPerMember?: number;
  signal?: AbortSignal;
}

export interface ReplicaReplay {
  /** The final messages of `app`, in the agreed order. */
  messages: OrderedMessage[];
  /** The newest round checked against the chain (its messages included). */
  finalRound: number;
  /** The chain's round when the replay read it. */
  chainRound: number;
}

const PAGE = 1_000;
/** The most logs one replay fetches (members, and former members the cuts name). */
const MAX_AUTHORS = 1_024;

/** One member's whole log from the replica node, verified from seq 0 up and opened with the read keys. */
export async function fetchReplicaLog(options: ReplicaReplayOptions, member: string): Promise<ReplayLog> {
  const call: CallOptions = options.signal === undefined ? {} : { signal: options.signal };
  const max = options.maxNodesPerMember ?? 100_000;
  const newestFirst: Uint8Array[] = [];
  for await (const page of options.replica.replicaLogPages({ ring: options.ring, member, limit: PAGE, auth: await options.auth(member) }, call)) {
    for (const hex of page.nodes) newestFirst.push(getBytes(hex));
    if (newestFirst.length > max) throw new RangeError(`${member}'s log has more than ${max} nodes`);
  }
  const blocks: ReceivedBlock[] = [];
  for (const bytes of newestFirst.reverse()) blocks.push({ cid: await cidOfBytes(bytes), bytes });
  const context = { domain: ringDomain(options.chainId, options.ring), isMember: () => true, store: { length: () => 0, cidAt: () => undefined, nodeAt: () => Promise.resolve(null) } };
  let nodes;
  try {
    ({ nodes } = await verifyBatch(context, member, blocks));
  } catch (error) {
    throw new ReplayNodeRefusedError(`${member}'s log from the replica: ${(error as Error).message}`, { cause: error });
  }
  const reader = keysReader(options.readKeys, options.ring);
  return { author: member, nodes, entries: nodes.map((node) => openEntry(reader, node)) };
}

/** The final messages of `app` rebuilt from the replica's copies of the members' logs and the chain's rounds. */
export async function replayFromReplica(options: ReplicaReplayOptions): Promise<ReplicaReplay> {
  const members = options.members ?? (await options.chain.members(options.signal === undefined ? {} : { signal: options.signal }));
  const logs = new Map<string, ReplayLog>();
  // The current members' logs, then those of former members the logged cuts name (bounded).
  let wanted = members.map((member) => getAddress(member));
  while (wanted.length > 0) {
    for (const member of wanted) logs.set(member.toLowerCase(), await fetchReplicaLog(options, member));
    if (logs.size > MAX_AUTHORS) throw new ReplayIncompleteError(`the logged cuts name more than ${MAX_AUTHORS} authors`);
    wanted = [...cutAuthors(logs)].filter((author) => !logs.has(author)).map((author) => getAddress(author));
  }
  const { cuts, finalRound, chainRound } = await chainCheckedCuts({ ring: options.ring, chain: options.chain, logs, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  const order = new MessageOrder();
  for (const log of logs.values()) {
    for (const [seq, node] of log.nodes.entries()) {
      order.noteNode(log.author, seq, node.cid.toString());
      const fields = asMessage(log.entries[seq]);
      const { ts } = node.node;
      if (fields !== null) order.addMessage({ cid: node.cid.toString(), author: node.node.author, seq, ...(ts === undefined ? {} : { ts }), ...fields });
    }
    order.noteScanned(log.author, log.nodes.length);
  }
  for (const cut of cuts) order.addCut(cut);
  if (order.finalRound !== finalRound) throw new ReplayIncompleteError(`the order reached round ${order.finalRound} of the ${finalRound} checked`);
  return { messages: order.finalAfter(options.app, null, Number.MAX_SAFE_INTEGER), finalRound, chainRound };
}
