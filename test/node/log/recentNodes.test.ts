/**
 * LogStore's recent nodes: a node just kept is read back by every scanner of the log (message book,
 * job book, membership votes, read keys, the next batch's verification) without a blockstore read,
 * for the newest RECENT_NODES nodes of up to RECENT_NODE_MAX_BYTES; anything else is read from disk.
 */
import { join } from "node:path";
import { expect } from "chai";
import { Wallet, getBytes } from "ethers";
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { EncodedLogNode } from "../../../node/src/core/logNode.js";
import { OwnLog } from "../../../node/src/log/ownLog.js";
import { LogStore, RECENT_NODE_MAX_BYTES, RECENT_NODES } from "../../../node/src/log/store.js";
import { createRingHelia, type RingHelia } from "../../../node/src/p2p/createRingHelia.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

describe("LogStore: recent nodes", function () {
  this.timeout(60_000);
  const dirs = tempDirs("rings-recent-nodes");
  let helia: RingHelia;
  let store: LogStore;
  let log: OwnLog;
  let reads = 0;
  const appended: EncodedLogNode[] = [];

  before(async () => {
    const dataDir = join(await dirs.make("store"), "data");
    const started = await createRingHelia({ dataDir, privateKey: await generateKeyPair("secp256k1"), listen: ["/ip4/127.0.0.1/tcp/0"] });
    helia = started.helia;
    const readBytes = started.blockstore.readBytes.bind(started.blockstore);
    started.blockstore.readBytes = async (cid) => {
      reads++;
      return readBytes(cid);
    };
    store = await LogStore.open(dataDir, started.blockstore, started.datastore);
    const wallet = Wallet.createRandom();
    log = new OwnLog(store, { address: wallet.address, privateKey: getBytes(wallet.privateKey) }, { name: "Rings", version: "1", chainId: 31337, verifyingContract: "0x0000000000000000000000000000000000000001" });
    for (let i = 0; i <= RECENT_NODES; i++) appended.push(await log.append({ i }));
  });

  after(async () => {
    await helia?.stop();
    await dirs.cleanup();
  });

  it("answers the newest nodes without a blockstore read", async () => {
    reads = 0;
    const newest = appended.slice(-RECENT_NODES);
    const read = await Promise.all(newest.map(async (node) => store.nodeAt(log.author, node.node.seq)));
    expect(read.map((node) => node?.cid.toString())).to.deep.equal(newest.map((node) => node.cid.toString()));
    expect(reads).to.equal(0);
  });

  it("reads an older node from the blockstore, the same node", async () => {
    reads = 0;
    const oldest = await store.nodeAt(log.author, 0);
    expect(oldest?.cid.toString()).to.equal(appended[0]?.cid.toString());
    expect(oldest?.node.payload).to.deep.equal({ i: 0 });
    expect(reads).to.equal(1);
  });

  it("does not hold a node over RECENT_NODE_MAX_BYTES", async () => {
    const big = await log.append({ big: "x".repeat(RECENT_NODE_MAX_BYTES) });
    reads = 0;
    expect((await store.nodeAt(log.author, big.node.seq))?.cid.toString()).to.equal(big.cid.toString());
    expect(reads).to.equal(1);
  });
});
