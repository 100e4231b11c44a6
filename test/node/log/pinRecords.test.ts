/**
 * A window of log nodes pinned in one datastore batch is pinned as Helia's own `pins.add(cid, {
 * depth: 0 })` would pin it: `isPinned`, `ls` and `rm` see the pins, Helia's garbage collection keeps
 * the blocks, a CID already pinned is not counted twice, and a block another pin counts keeps that pin.
 */
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { CID } from "multiformats/cid";
import { cidOfBytes } from "../../../node/src/core/cid.js";
import { pinAtDepthZero } from "../../../node/src/log/pinRecords.js";
import { createRingHelia, type RingHeliaParts } from "../../../node/src/p2p/createRingHelia.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

describe("pinAtDepthZero: Helia's pins, a window at a time", function () {
  this.timeout(60_000);
  const dirs = tempDirs("rings-pin-records");
  let parts: RingHeliaParts;

  async function blocks(count: number): Promise<CID[]> {
    const cids: CID[] = [];
    for (let i = 0; i < count; i++) {
      const bytes = new Uint8Array([0xa1, 0x61, 0x78, 0x58, 0x20, ...randomBytes(32)]); // dag-cbor {x: <32 random bytes>}
      const cid = await cidOfBytes(bytes);
      await parts.blockstore.putBytes(cid, bytes);
      cids.push(cid);
    }
    return cids;
  }

  async function depthOfPin(cid: CID): Promise<number | undefined> {
    for await (const pin of parts.helia.pins.ls({ cid })) if (pin.cid.equals(cid)) return pin.depth;
    return undefined;
  }

  before(async () => {
    parts = await createRingHelia({ dataDir: join(await dirs.make("helia"), "data"), privateKey: await generateKeyPair("secp256k1"), listen: [] });
  });

  after(async () => {
    await parts?.helia.stop();
    await dirs.cleanup();
  });

  it("pins every CID of the window as a depth-0 pin Helia lists", async function () {
    const cids = await blocks(5);
    expect(await pinAtDepthZero(parts.datastore, cids)).to.equal(5);
    for (const cid of cids) {
      expect(await parts.helia.pins.isPinned(cid)).to.equal(true);
      expect(await depthOfPin(cid)).to.equal(0);
    }
  });

  it("leaves a CID that is already pinned as it is", async function () {
    const [cid] = await blocks(1);
    if (cid === undefined) throw new Error("no block");
    expect(await pinAtDepthZero(parts.datastore, [cid])).to.equal(1);
    expect(await pinAtDepthZero(parts.datastore, [cid, cid])).to.equal(0);
    for await (const unpinned of parts.helia.pins.rm(cid)) void unpinned;
    expect(await parts.helia.pins.isPinned(cid)).to.equal(false);
  });

  it("is undone by Helia's pins.rm", async function () {
    const cids = await blocks(3);
    await pinAtDepthZero(parts.datastore, cids);
    for await (const unpinned of parts.helia.pins.rm(cids[1] as CID)) void unpinned;
    expect(await parts.helia.pins.isPinned(cids[1] as CID)).to.equal(false);
    expect(await parts.helia.pins.isPinned(cids[0] as CID)).to.equal(true);
  });

  it("keeps the blocks through Helia's garbage collection, which takes the unpinned", async function () {
    const [pinned, loose] = await blocks(2);
    if (pinned === undefined || loose === undefined) throw new Error("no blocks");
    await pinAtDepthZero(parts.datastore, [pinned]);
    await parts.helia.gc();
    expect(await parts.blockstore.readBytes(pinned)).to.not.equal(null);
    expect(await parts.blockstore.readBytes(loose)).to.equal(null);
  });
});
