/**
 * The ring's read keys on real `ring-node` processes and `hardhat node` (replica/readKeys.ts):
 * members deliver the key to each other in key blocks, every rounds entry in the logs on disk is a
 * read-key envelope while rounds finalise, a member the owner removes is left out of the rotated
 * key (it cannot open what is written after), and a member admitted later is delivered the current
 * key only (it takes part, and cannot open older epochs). Five member directories; the fifth is
 * removed on chain before anyone starts.
 */
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { after, afterEach, before, describe, it } from "mocha";
import { ControlClient } from "../../../node/src/control/client.js";
import { decodeLogNode } from "../../../node/src/core/logNode.js";
import { LogJournal } from "../../../node/src/log/journal.js";
import { asKeyBlock, isKeyRequest } from "../../../node/src/replica/keyBlock.js";
import { decryptPayload, isEncryptedPayload, type EncryptedPayload } from "../../../node/src/replica/payloadCipher.js";
import { READ_KEYS_FILE, readEpochKeys, type EpochKeys } from "../../../node/src/replica/readKeyFile.js";
import { asRoundsEntry } from "../../../node/src/rounds/entries.js";
import type { NodeStatus } from "../../../node/src/status/status.js";
import { waitFor } from "../../../scripts/devnet/processes.js";
import { ringAt } from "../../../scripts/devnet/ringsOnChain.js";
import { startRoundsRing, type RoundsRing } from "../../../scripts/devnet/roundsRing.js";

const SUM = "export function map(inputs) { return inputs.reduce((s, x) => s + x.n, 0); }\nexport function reduce(parts) { return parts.reduce((s, x) => s + x, 0); }";
const SENTINEL = "0x0000000000000000000000000000000000000001";

interface LoggedPayload {
  author: string;
  seq: number;
  payload: unknown;
}

describe("read keys: delivered in key blocks, rotated when a member leaves", function () {
  this.timeout(300_000);
  let world: RoundsRing;
  let n = 0;

  const member = (index: number) => world.ring.members[index] as { address: string; dataDir: string };
  const owner = () => ringAt(world.ring.ring, world.ring.chain.account(0));
  const keysOf = (index: number): Promise<EpochKeys> => readEpochKeys(join(member(index).dataDir, READ_KEYS_FILE), world.ring.ring);
  const statusOf = async (index: number) => (await ControlClient.forDataDir(member(index).dataDir)).status<NodeStatus>();

  /** Every node the members at `indices` wrote, from each one's own log journal on disk (copied, so the running node is left alone). */
  async function payloadsWrittenBy(indices: number[]): Promise<LoggedPayload[]> {
    const out: LoggedPayload[] = [];
    for (const index of indices) {
      const file = join(member(index).dataDir, "logs", `${member(index).address}.journal`);
      const copy = join(await world.ring.dirs.make(`scan-${n++}`), "own.journal");
      await copyFile(file, copy);
      const { journal, records } = await LogJournal.open(copy);
      await journal.close();
      for (const bytes of records) {
        const { node } = await decodeLogNode(bytes);
        out.push({ author: node.author, seq: node.seq, payload: node.payload });
      }
    }
    return out;
  }

  function opens(keys: EpochKeys, logged: LoggedPayload): unknown {
    for (const key of [...keys.values()].flat()) {
      try {
        return decryptPayload(key, logged.payload, { ring: world.ring.ring, author: logged.author });
      } catch {
        // not this key
      }
    }
    return undefined;
  }

  const epochOf = (logged: LoggedPayload) => (logged.payload as EncryptedPayload & { epoch?: number }).epoch;

  async function sum(at: number, a: number, b: number): Promise<void> {
    const submitted = await world.jobsOf(at).submit({ source: SUM, inputs: [{ json: { n: a } }, { json: { n: b } }], shards: 2, redundancy: 2 });
    expect((await world.jobsOf(at).waitFinalised(submitted.job, 90_000)).status).to.equal("finalised");
  }

  async function waitEpoch(indices: number[], epoch: number): Promise<void> {
    for (const index of indices) await waitFor(`member ${index} writing with key epoch ${epoch}`, async () => (await statusOf(index)).keys?.current?.epoch === epoch || undefined, 60_000, 200);
  }

  before(async function () {
    world = await startRoundsRing(5, "read-keys");
    const members = [...(await owner().members())];
    await (await owner().exit(members[members.indexOf(member(4).address) - 1] ?? SENTINEL, member(4).address)).wait();
    for (let i = 0; i < 4; i++) await world.start(i);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await world?.saveLogs(this.currentTest.title);
  });

  after(async function () {
    await world?.cleanup();
  });

  it("a ring of 4 writes no key until a member needs one; the first job makes epoch 0, one key every member holds, shown in status", async function () {
    expect((await statusOf(0)).keys?.current).to.equal(null);
    await sum(1, 20, 22);
    await waitEpoch([0, 1, 2, 3], 0);
    const statuses = await Promise.all([0, 1, 2, 3].map(statusOf));
    const keyIds = new Set(statuses.map((status) => status.keys?.current?.keyId));
    expect(keyIds.size).to.equal(1);
    const holders = statuses[0]?.keys?.epochs.find((epoch) => epoch.epoch === 0)?.holders ?? [];
    expect([...holders].sort()).to.deep.equal([0, 1, 2, 3].map((i) => member(i).address).sort());
  });

  it("while rounds finalise, every payload the members wrote to disk is an envelope, a key block or a key request; the envelopes are the rounds entries", async function () {
    await sum(2, 1, 2);
    const held = await payloadsWrittenBy([0, 1, 2, 3]);
    const clear = held.filter((logged) => !isEncryptedPayload(logged.payload));
    expect(clear.every((logged) => asKeyBlock(logged.payload, world.ring.ring) !== null || isKeyRequest(logged.payload, world.ring.ring)), JSON.stringify(clear.map((c) => c.payload))).to.equal(true);
    const sealed = held.filter((logged) => isEncryptedPayload(logged.payload));
    const keys = await keysOf(0);
    const entries = sealed.map((logged) => asRoundsEntry(opens(keys, logged)));
    expect(entries.every((entry) => entry !== null)).to.equal(true);
    expect(new Set(entries.map((entry) => entry?.type))).to.deep.equal(new Set(["job", "shard", "proposal"]));
  });

  it("the owner removes a member: the others rotate to epoch 1, and the removed member cannot open anything written after", async function () {
    const removed = member(3).address;
    const members = [...(await owner().members())];
    await (await owner().exit(members[members.indexOf(removed) - 1] ?? SENTINEL, removed)).wait();
    await waitEpoch([0, 1, 2], 1);
    await sum(0, 5, 6);
    const removedKeys = await keysOf(3);
    expect([...removedKeys.keys()]).to.deep.equal([0]);
    const after = (await payloadsWrittenBy([0, 1, 2])).filter((logged) => isEncryptedPayload(logged.payload) && (epochOf(logged) ?? 0) >= 1);
    expect(after.length).to.be.greaterThan(0);
    for (const keys of await Promise.all([0, 1, 2].map(keysOf))) expect(after.every((logged) => asRoundsEntry(opens(keys, logged)) !== null)).to.equal(true);
    expect(after.every((logged) => opens(removedKeys, logged) === undefined)).to.equal(true);
    const epoch1 = (await statusOf(0)).keys?.epochs.find((epoch) => epoch.epoch === 1);
    expect(epoch1?.holders).to.not.include(removed);
    await world.kill(3);
  });

  it("a member admitted later is delivered the current key, writes with it and sees its job finalised", async function () {
    await (await owner().enter(member(4).address)).wait();
    await world.start(4);
    await waitEpoch([4], 1);
    await sum(4, 7, 8);
    const keys = await keysOf(4);
    const written = (await payloadsWrittenBy([0, 1, 2, 4])).filter((logged) => isEncryptedPayload(logged.payload) && (epochOf(logged) ?? 0) >= 1);
    expect(written.filter((logged) => logged.author !== member(4).address).length).to.be.greaterThan(0);
    expect(written.every((logged) => asRoundsEntry(opens(keys, logged)) !== null)).to.equal(true);
  });

  it("a member admitted later holds only the epoch current when it joined: it cannot open anything written under epoch 0, before the rotation", async function () {
    const keys = await keysOf(4);
    expect([...keys.keys()]).to.deep.equal([1]);
    const before = (await payloadsWrittenBy([0, 1, 2])).filter((logged) => isEncryptedPayload(logged.payload) && epochOf(logged) === 0);
    expect(before.length).to.be.greaterThan(0);
    expect(before.filter((logged) => opens(keys, logged) !== undefined).map((logged) => `${logged.author} #${logged.seq}`)).to.deep.equal([]);
    expect((await statusOf(4)).keys?.epochs.find((epoch) => epoch.epoch === 0)?.keyIds ?? []).to.deep.equal([]);
  });
});
