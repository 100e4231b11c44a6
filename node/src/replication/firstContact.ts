/**
 * First contact with an author (nothing of its log held here): the log is fetched with log-sync up
 * to the head the chain holds for the author, the trust anchor, and nothing is kept before the
 * range has reached that head. Each block is checked as it arrives (Ingest.checkBlock: signature,
 * author, seq from 0 on) and must link to the block before, so a range that ends at the anchor is
 * one hash-linked chain leading to the on-chain head; one that does not is refused before anything
 * of it is stored. Blocks wait in memory up to `memoryBytes`, then in the blockstore, quarantined
 * (in no author's log, deleted again when the range fails), and are ingested once it is complete.
 */
import type { Libp2p, PeerId } from "@libp2p/interface";
import type { CID } from "multiformats/cid";
import { LogReplicationIncompleteError, LogVerificationError } from "../log/errors.js";
import type { LogStore } from "../log/store.js";
import type { ReceivedBlock } from "../log/verify.js";
import { LogSyncDeadlineError, LogSyncProtocolError } from "./errors.js";
import type { Ingest } from "./ingest.js";
import { fetchLogRange } from "./logSync.js";

export interface FirstContactComponents {
  streams: Pick<Libp2p, "dialProtocol">;
  logs: Pick<LogStore, "holds"> & { blockstore: Pick<LogStore["blockstore"], "has" | "put" | "delete" | "readBytes"> };
  ingest: Pick<Ingest, "ingest" | "checkBlock">;
}

export interface FirstContactSettings {
  ring: string;
  fetchTimeoutMs: number;
  deadlineMs: number;
  /** Most nodes the range may announce (its seq is not known before it arrives). */
  maxCount: number;
  /** Bytes of the range held in memory before the rest waits in the blockstore. */
  memoryBytes: number;
  signal: AbortSignal;
}

/** Range bytes a first contact holds in memory (16 MiB); more wait quarantined in the blockstore. */
export const FIRST_CONTACT_MEMORY_BYTES = 16 * 1024 * 1024;

/** Blocks ingested at once from the quarantine. */
const INGEST_CHUNK = 256;

/** Where the range waits until it is complete. */
class Staging {
  private memory: ReceivedBlock[] = [];
  private memoryBytes = 0;
  /** The whole range in order, once it spilled into the blockstore. */
  private spilled: { cid: CID; seq: number }[] | null = null;
  /** Blocks this fetch put in the blockstore (not there before): deleted unless they end up held. */
  private readonly quarantined: { cid: CID; seq: number }[] = [];

  constructor(
    private readonly components: FirstContactComponents,
    private readonly author: string,
    private readonly limit: number,
  ) {}

  async add(block: ReceivedBlock, seq: number): Promise<void> {
    if (this.spilled === null && this.memoryBytes + block.bytes.length <= this.limit) {
      this.memory.push(block);
      this.memoryBytes += block.bytes.length;
      return;
    }
    if (this.spilled === null) {
      const waiting = this.memory;
      this.spilled = [];
      this.memory = [];
      for (const [index, earlier] of waiting.entries()) await this.quarantine(earlier, index);
    }
    await this.quarantine(block, seq);
  }

  /** Ingests the range (oldest first); resolves with the nodes kept. */
  async ingest(ingest: FirstContactComponents["ingest"], peer: PeerId): Promise<number> {
    const discard = () => this.discard();
    if (this.spilled === null) return ingest.ingest(this.author, this.memory, "log-sync", peer, { discard });
    let kept = 0;
    try {
      for (let start = 0; start < this.spilled.length; start += INGEST_CHUNK) {
        const chunk: ReceivedBlock[] = [];
        for (const { cid } of this.spilled.slice(start, start + INGEST_CHUNK)) {
          const bytes = await this.components.logs.blockstore.readBytes(cid);
          if (bytes === null) throw new LogReplicationIncompleteError(`quarantined block ${cid.toString()} is gone`, cid.toString());
          chunk.push({ cid, bytes });
        }
        kept += await ingest.ingest(this.author, chunk, "log-sync", peer, { discard });
      }
    } catch (error) {
      await this.discard();
      throw error;
    }
    return kept;
  }

  /** Deletes the quarantined blocks that are not held (now). */
  async discard(): Promise<void> {
    for (const { cid, seq } of this.quarantined.splice(0)) {
      if (!this.components.logs.holds(this.author, seq, cid)) await this.components.logs.blockstore.delete(cid).catch(() => undefined);
    }
  }

  private async quarantine(block: ReceivedBlock, seq: number): Promise<void> {
    const { blockstore } = this.components.logs;
    this.spilled?.push({ cid: block.cid, seq });
    if (await blockstore.has(block.cid)) return;
    await blockstore.put(block.cid, block.bytes);
    this.quarantined.push({ cid: block.cid, seq });
  }
}

/** Fetches `author`'s log from `peer` up to `anchor` (its on-chain head) and keeps it only if it gets there. */
export async function fetchFirstContact(components: FirstContactComponents, settings: FirstContactSettings, author: string, anchor: CID, peer: PeerId): Promise<number> {
  const { ingest, streams } = components;
  const staging = new Staging(components, author, settings.memoryBytes);
  const discard = () => staging.discard();
  const request = { ring: settings.ring, author, from: 0, to: anchor };
  const options = { timeoutMs: settings.fetchTimeoutMs, deadlineMs: settings.deadlineMs, maxCount: settings.maxCount, signal: settings.signal };
  let previous: CID | undefined;
  let seq = 0;
  try {
    for await (const frame of fetchLogRange(streams, peer, request, options)) {
      for (const block of frame) {
        const node = await ingest.checkBlock(author, block, seq, "log-sync", peer, { discard });
        const link = node.node.prev[0];
        if (previous !== undefined && link?.equals(previous) !== true) {
          throw new LogReplicationIncompleteError(`${block.cid.toString()} (seq ${seq}) links to ${link?.toString() ?? "nothing"}, not to the node before it in the range`, block.cid.toString());
        }
        await staging.add(block, seq);
        previous = block.cid;
        seq += 1;
      }
    }
  } catch (error) {
    await discard();
    if (error instanceof LogVerificationError || error instanceof LogSyncProtocolError || error instanceof LogSyncDeadlineError) throw error;
    throw new LogReplicationIncompleteError(`first contact with ${author}'s log from ${peer.toString()} failed after ${seq} nodes: ${(error as Error).message}`, anchor.toString());
  }
  if (previous?.equals(anchor) !== true) {
    await discard();
    throw new LogReplicationIncompleteError(`the log ${peer.toString()} sent of ${author} (${seq} nodes) does not reach its on-chain head ${anchor.toString()}`, anchor.toString());
  }
  return staging.ingest(ingest, peer);
}
