/**
 * Stand-ins for replication's narrow components: signed log nodes of a ring, an in-memory log
 * store with the reads verification makes and the writes ingest makes, and PeerIds.
 */
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { getAddress, hexlify, randomBytes, type TypedDataDomain } from "ethers";
import { TypedEventEmitter } from "main-event";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { LOG_NODE_VERSION, signLogNodeWithKey, type EncodedLogNode } from "../../../node/src/core/logNode.js";
import { generateIdentity, type RingIdentity } from "../../../node/src/identity/identity.js";
import type { ForkEvidence } from "../../../node/src/log/forkEvidence.js";
import { silentLogger } from "../../../node/src/logging.js";
import { Ingest } from "../../../node/src/replication/ingest.js";
import { RefusalLog, type RefusalEvents, type RejectedDetail } from "../../../node/src/replication/refusalLog.js";

export const domain: TypedDataDomain = ringDomain(31337n, getAddress(hexlify(randomBytes(20))));

export async function aPeer(): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair("Ed25519"));
}

/** Signs `author`'s node at `seq` after `parent` (by `signer`, the author unless said otherwise). */
export async function signedNode(author: RingIdentity, seq: number, parent: EncodedLogNode | undefined, payload: unknown = { seq }, signer: RingIdentity = author): Promise<EncodedLogNode> {
  const body = { v: LOG_NODE_VERSION, ring: String(domain.verifyingContract), author: author.address, seq, prev: parent === undefined ? [] : [parent.cid], ts: 1_700_000_000_000 + seq, payload };
  return signLogNodeWithKey(body, signer.privateKey, domain);
}

/** `count` consecutive nodes of `author` from seq 0. */
export async function logOf(author: RingIdentity, count: number, tag = "log"): Promise<EncodedLogNode[]> {
  const nodes: EncodedLogNode[] = [];
  for (let seq = 0; seq < count; seq++) nodes.push(await signedNode(author, seq, nodes.at(-1), { tag, seq }));
  return nodes;
}

export const blocksOf = (nodes: readonly EncodedLogNode[]) => nodes.map((node) => ({ cid: node.cid, bytes: node.bytes }));

/** The log store as ingest sees it: each author's nodes in seq order, and the forks recorded. */
export class MemoryLogs {
  readonly logs = new Map<string, EncodedLogNode[]>();
  readonly forksRecorded: ForkEvidence[] = [];

  hold(nodes: readonly EncodedLogNode[]): void {
    for (const node of nodes) this.logs.set(node.node.author, [...(this.logs.get(node.node.author) ?? []), node]);
  }
  length(author: string): number {
    return this.logs.get(author)?.length ?? 0;
  }
  head(author: string) {
    const log = this.logs.get(author) ?? [];
    const last = log.at(-1);
    return last === undefined ? null : { author, seq: log.length - 1, cid: last.cid };
  }
  cidAt(author: string, seq: number) {
    return this.logs.get(author)?.[seq]?.cid;
  }
  nodeAt(author: string, seq: number): Promise<EncodedLogNode | null> {
    return Promise.resolve(this.logs.get(author)?.[seq] ?? null);
  }
  append(_author: string, nodes: EncodedLogNode[]): Promise<number> {
    this.hold(nodes);
    return Promise.resolve(nodes.length);
  }
  hasFork(author: string, seq: number): Promise<boolean> {
    return Promise.resolve(this.forksRecorded.some((fork) => fork.author === author && fork.seq === seq));
  }
  recordFork(evidence: ForkEvidence): Promise<void> {
    this.forksRecorded.push(evidence);
    return Promise.resolve();
  }
}

/** Ingest over a MemoryLogs, with a real refusal log whose `rejected` events are collected. */
export function ingestOver(logs: MemoryLogs, members: readonly RingIdentity[]): { ingest: Ingest; refusals: RefusalLog; rejected: RejectedDetail[] } {
  const events = new TypedEventEmitter<RefusalEvents>();
  const rejected: RejectedDetail[] = [];
  events.addEventListener("rejected", (event) => rejected.push(event.detail));
  const refusals = new RefusalLog(events, silentLogger());
  const isMember = (address: string) => members.some((member) => member.address === address);
  return { ingest: new Ingest({ logs, verification: { domain, isMember }, refusals }), refusals, rejected };
}

export { generateIdentity };
