/**
 * LogStore.recentSeqOf: where a head claimed without its seq (a pushed or on-chain head) is in the
 * author's log, answered from the index alone for the newest nodes (the claim queue asks it for every
 * pending claim on every turn).
 */
import { join } from "node:path";
import { expect } from "chai";
import { Wallet, getBytes } from "ethers";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { CID } from "multiformats/cid";
import { OwnLog } from "../../../node/src/log/ownLog.js";
import { LogStore } from "../../../node/src/log/store.js";
import { createRingHelia, type RingHelia } from "../../../node/src/p2p/createRingHelia.js";
import { tempDirs } from "../../../scripts/devnet/tempDir.js";

describe("LogStore.recentSeqOf", function () {
  this.timeout(30_000);
  const dirs = tempDirs("rings-recent-seq");
  let helia: RingHelia;
  let store: LogStore;
  let log: OwnLog;
  const cids: CID[] = [];

  before(async () => {
    const dataDir = join(await dirs.make("store"), "data");
    const started = await createRingHelia({ dataDir, privateKey: await generateKeyPair("secp256k1"), listen: ["/ip4/127.0.0.1/tcp/0"] });
    helia = started.helia;
    store = await LogStore.open(dataDir, started.blockstore, started.datastore);
    const wallet = Wallet.createRandom();
    log = new OwnLog(store, { address: wallet.address, privateKey: getBytes(wallet.privateKey) }, { name: "Rings", version: "1", chainId: 31337, verifyingContract: "0x0000000000000000000000000000000000000001" });
    for (let i = 0; i < 6; i++) cids.push((await log.append({ i })).cid);
  });

  after(async () => {
    await helia?.stop();
    await dirs.cleanup();
  });

  it("answers the seq of each of the author's newest nodes", () => {
    expect(cids.map((cid) => store.recentSeqOf(log.author, cid))).to.deep.equal([0, 1, 2, 3, 4, 5]);
  });

  it("looks only `depth` nodes back from the head", () => {
    expect(store.recentSeqOf(log.author, cids[5] as CID, 2)).to.equal(5);
    expect(store.recentSeqOf(log.author, cids[3] as CID, 2)).to.equal(undefined);
  });

  it("answers undefined for a CID of another author or an author with no log", () => {
    expect(store.recentSeqOf(Wallet.createRandom().address, cids[0] as CID)).to.equal(undefined);
    expect(store.recentSeqOf(log.author, CID.parse("bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"))).to.equal(undefined);
  });
});
