/**
 * A replica node's own relay records (`received`, `relayed`, `ReplicateRing`) go to its log sealed
 * with its ring's read key, like every other payload of the ring: over a real log store on Helia,
 * what the log holds is a read-key envelope, and the ring's read key opens it to the record written.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { after, before, describe, it } from "mocha";
import { ringDomain } from "../../../node/src/core/eip712.js";
import { generateIdentity } from "../../../node/src/identity/identity.js";
import { OwnLog } from "../../../node/src/log/ownLog.js";
import { LogStore } from "../../../node/src/log/store.js";
import { createRingHelia, type RingHeliaParts } from "../../../node/src/p2p/createRingHelia.js";
import { decryptPayload, encryptPayload, isEncryptedPayload } from "../../../node/src/replica/payloadCipher.js";
import { APPLICATION_DOMSEP, ownLogWriter } from "../../../node/src/rpc/nodeLog.js";

const identity = generateIdentity();
const ring = hexlify(randomBytes(20));
const readKey = randomBytes(32);
const context = { ring, author: identity.address };
const record = { application_domsep: APPLICATION_DOMSEP, type: "FlushToRing", status: "relayed", msg_hash: "0x01", payload: { tx: "0x02", txfee: "1" } };

describe("a replica node's relay records are sealed in its own log", function () {
  this.timeout(60_000);
  let dir: string;
  let parts: RingHeliaParts;
  let store: LogStore;
  let log: OwnLog;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "rings-sealed-relay-"));
    parts = await createRingHelia({ dataDir: dir, privateKey: identity.libp2pKey, listen: [] });
    store = await LogStore.open(dir, parts.blockstore, parts.datastore);
    log = new OwnLog(store, identity, ringDomain(31337n, ring));
  });

  after(async function () {
    await parts?.helia.stop();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("with the ring's read keys, the record the log holds is a read-key envelope that opens to the record written", async function () {
    const writer = ownLogWriter(log, { seal: (payload) => Promise.resolve(encryptPayload(readKey, payload, context)) });

    const appended = await writer.append(record);

    const held = (await store.readNode(appended.cid))?.node.payload;
    expect(isEncryptedPayload(held)).to.equal(true);
    expect(JSON.stringify(held)).to.not.include("relayed");
    expect(decryptPayload(readKey, held, context)).to.deep.equal(record);
  });

  it("without read keys (a public ring), the record is written as it is", async function () {
    const appended = await ownLogWriter(log).append(record);

    expect((await store.readNode(appended.cid))?.node.payload).to.deep.equal(record);
  });
});
