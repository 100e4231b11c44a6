/**
 * The log-sync requester against a scripted answer over an in-memory stream pair: a hostile
 * member's header count, repeated frames and slow drip must not hold the range open.
 */
import { lpStream, streamPair } from "@libp2p/utils";
import type { Stream } from "@libp2p/interface";
import { expect } from "chai";
import { describe, it } from "mocha";
import { encodeData } from "../../../node/src/compute/job.js";
import { fetchLogRange, type LogSyncFetchOptions } from "../../../node/src/replication/logSync.js";
import { decodeLogSyncRequest, encodeBlockFrame, encodeLogSyncHeader, type LogSyncRequest } from "../../../node/src/replication/messages.js";
import { aPeer, domain } from "./fakes.js";

type Block = { cid: import("multiformats/cid").CID; bytes: Uint8Array };

/** Blocks that look like log nodes at seq `from` ... `to` (only their shape is checked here). */
async function blocksAt(from: number, to: number): Promise<Block[]> {
  const blocks: Block[] = [];
  for (let seq = from; seq <= to; seq++) blocks.push(await encodeData({ seq, author: "scripted" }));
  return blocks;
}

/** Answers one log-sync request on `stream` with `count` in the header, then whatever `frames` yields. */
async function answer(stream: Stream, count: number, frames: () => Iterable<Block[]> | AsyncIterable<Block[]>): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: 4 * 1024 * 1024 });
  try {
    decodeLogSyncRequest((await lp.read()).subarray());
    await lp.write(encodeLogSyncHeader({ ok: true, count }));
    for await (const frame of frames()) await lp.write(encodeBlockFrame(frame));
    await stream.close();
  } catch {
    stream.abort(new Error("requester gone"));
  }
}

/** Runs fetchLogRange against the scripted answer; resolves with the frames received or the error. */
async function sync(request: LogSyncRequest, options: Omit<LogSyncFetchOptions, "signal">, count: number, frames: () => Iterable<Block[]> | AsyncIterable<Block[]>, maxFrames = 50) {
  const [outbound, inbound] = await streamPair();
  const served = answer(inbound, count, frames);
  const received: Block[][] = [];
  let error: unknown = null;
  try {
    for await (const frame of fetchLogRange({ dialProtocol: () => Promise.resolve(outbound) }, await aPeer(), request, options)) {
      received.push(frame);
      if (received.length >= maxFrames) break;
    }
  } catch (caught) {
    error = caught;
  }
  inbound.abort(new Error("test over"));
  await served;
  return { received, error };
}

describe("log-sync: the requester bounds what a peer sends", function () {
  this.timeout(20_000);
  const ring = String(domain.verifyingContract);
  const author = "0x0000000000000000000000000000000000000001";

  it("refuses a header announcing more nodes than the claimed range", async function () {
    const blocks = await blocksAt(4, 9);
    const request = { ring, author, from: 4, to: (blocks.at(-1) as Block).cid };
    const { received, error } = await sync(request, { timeoutMs: 1_000, deadlineMs: 5_000, maxCount: 6 }, 1_000_000, function* () {
      yield blocks;
    });
    expect(received).to.have.length(0);
    expect((error as Error | null)?.name).to.equal("LogSyncProtocolError");
  });

  it("ends a range whose frame repeats nodes already sent instead of advancing the seq", async function () {
    const blocks = await blocksAt(4, 5);
    const request = { ring, author, from: 4, to: (await encodeData({ seq: 60 })).cid };
    const { received, error } = await sync(request, { timeoutMs: 1_000, deadlineMs: 5_000, maxCount: 57 }, 57, function* () {
      for (;;) yield blocks;
    });
    expect(received).to.have.length(1);
    expect((error as Error | null)?.name).to.equal("LogSyncProtocolError");
  });

  it("gives up at the overall deadline a range that drips in just inside the wait per message", async function () {
    const blocks = await blocksAt(0, 99);
    const request = { ring, author, from: 0, to: (blocks.at(-1) as Block).cid };
    const started = Date.now();
    const { received, error } = await sync(request, { timeoutMs: 300, deadlineMs: 600, maxCount: 100 }, 100, async function* () {
      for (const block of blocks) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        yield [block];
      }
    }, 1_000);
    expect((error as Error | null)?.name).to.equal("LogSyncDeadlineError");
    expect(received.length).to.be.greaterThan(0).and.below(100);
    expect(Date.now() - started).to.be.below(2_000);
  });
});
