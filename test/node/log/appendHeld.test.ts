/**
 * LogStore.append and nodes already held: two intakes of the same member's log (a claim fetch and
 * a log-sync stream, say) may verify overlapping batches before either keeps its own; the second
 * append then skips what the first kept instead of refusing the batch. A node at a held seq with
 * another CID is still refused.
 */
import { join } from "node:path";
import { expect } from "chai";
import { Wallet, getBytes } from "ethers";
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { EncodedLogNode } from "../../../node/src/core/logNode.js";
import { OwnLog } from "../../../node/src/log/ownLog.js";
import { LogStore, LogStoreConsistencyError } from "../../../node/src/log/store.js";
import { createRingHelia, type RingHelia } from "../../../node/src/p2p/createRingHelia.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

const DOMAIN = { name: "Rings", version: "1", chainId: 31337, verifyingContract: "0x0000000000000000000000000000000000000001" };

describe("LogStore: appending nodes already held", function () {
  this.timeout(60_000);
  const dirs = tempDirs("rings-append-held");
  const helias: RingHelia[] = [];
  const stores: LogStore[] = [];
  const wallet = Wallet.createRandom();
  const nodes: EncodedLogNode[] = [];
  let other: EncodedLogNode;

  async function openStore(name: string): Promise<LogStore> {
    const dataDir = join(await dirs.make(name), "data");
    const started = await createRingHelia({ dataDir, privateKey: await generateKeyPair("secp256k1"), listen: ["/ip4/127.0.0.1/tcp/0"] });
    helias.push(started.helia);
    const store = await LogStore.open(dataDir, started.blockstore, started.datastore);
    stores.push(store);
    return store;
  }

  function ownLog(store: LogStore): OwnLog {
    return new OwnLog(store, { address: wallet.address, privateKey: getBytes(wallet.privateKey) }, DOMAIN);
  }

  before(async () => {
    const source = ownLog(await openStore("source"));
    for (let i = 0; i < 10; i++) nodes.push(await source.append({ i }));
    other = await ownLog(await openStore("fork")).append({ i: "another node 0" });
  });

  after(async () => {
    await Promise.all(stores.map(async (store) => store.close()));
    await Promise.all(helias.map(async (helia) => helia.stop()));
    await dirs.cleanup();
  });

  it("keeps a batch from its first node not held and resolves with how many it kept", async () => {
    const store = await openStore("leading");
    expect(await store.append(wallet.address, nodes.slice(0, 4), false)).to.equal(4);
    expect(await store.append(wallet.address, nodes.slice(2, 7), false)).to.equal(3);
    expect(store.head(wallet.address)?.cid.toString()).to.equal(nodes[6]?.cid.toString());
  });

  it("resolves with 0 for a batch that is held whole, keeping nothing twice", async () => {
    const store = await openStore("whole");
    await store.append(wallet.address, nodes.slice(0, 5), false);
    expect(await store.append(wallet.address, nodes.slice(1, 5), false)).to.equal(0);
    expect(store.head(wallet.address)?.seq).to.equal(4);
  });

  it("keeps both of two overlapping batches appended at once, each seq once", async () => {
    const store = await openStore("concurrent");
    const kept = await Promise.all([store.append(wallet.address, nodes.slice(0, 8), false), store.append(wallet.address, nodes.slice(0, 10), false)]);
    expect(kept[0] + kept[1]).to.equal(10);
    for (const node of nodes) expect(store.cidAt(wallet.address, node.node.seq)?.toString()).to.equal(node.cid.toString());
  });

  it("refuses a node at a held seq whose CID differs, keeping nothing of its batch", async () => {
    const store = await openStore("differs");
    await store.append(wallet.address, nodes.slice(0, 3), false);
    let refused: unknown;
    await store.append(wallet.address, [other, ...nodes.slice(1, 5)], false).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(LogStoreConsistencyError);
    expect(store.head(wallet.address)?.seq).to.equal(2);
  });
});
