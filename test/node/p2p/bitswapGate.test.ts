/**
 * Bitswap serves held blocks only to the peers allowed (node/src/p2p/bitswapGate.ts), on three
 * real Helia nodes over loopback: the holder lets one peer in and not the other.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import * as raw from "multiformats/codecs/raw";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { generateIdentity } from "../../../node/src/identity/identity.js";
import { createRingHelia, type RingHeliaParts } from "../../../node/src/p2p/createRingHelia.js";

/** The block's bytes as `node` gets them (from its blockstore, or over bitswap). */
async function fetchBlock(node: RingHeliaParts, cid: CID, signal: AbortSignal): Promise<number> {
  let length = 0;
  for await (const chunk of node.helia.blockstore.get(cid, { signal })) length += chunk.length;
  return length;
}

describe("bitswap peer filter", function () {
  this.timeout(60_000);
  const parts: RingHeliaParts[] = [];
  const dirs: string[] = [];
  let holder: RingHeliaParts;
  let allowed: RingHeliaParts;
  let outsider: RingHeliaParts;
  let cid: CID;

  async function node(bitswapPeers?: (peer: { toString(): string }) => boolean): Promise<RingHeliaParts> {
    const dataDir = await mkdtemp(join(tmpdir(), "bitswap-gate-"));
    dirs.push(dataDir);
    const created = await createRingHelia({ dataDir, privateKey: generateIdentity().libp2pKey, listen: ["/ip4/127.0.0.1/tcp/0"], ...(bitswapPeers === undefined ? {} : { bitswapPeers }) });
    parts.push(created);
    return created;
  }

  before(async function () {
    allowed = await node();
    outsider = await node();
    const allowedId = allowed.helia.libp2p.peerId.toString();
    holder = await node((peer) => peer.toString() === allowedId);
    const bytes = new TextEncoder().encode(`a held block ${Math.random()}`);
    cid = CID.createV1(raw.code, await sha256.digest(bytes));
    await holder.helia.blockstore.put(cid, bytes);
    const address = holder.helia.libp2p.getMultiaddrs()[0] as Parameters<typeof allowed.helia.libp2p.dial>[0];
    await allowed.helia.libp2p.dial(address);
    await outsider.helia.libp2p.dial(address);
  });

  after(async function () {
    for (const part of parts) await part.helia.stop().catch(() => undefined);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("serves a held block to an allowed peer", async function () {
    expect(await fetchBlock(allowed, cid, AbortSignal.timeout(10_000))).to.be.greaterThan(0);
  });

  it("does not serve a held block to a peer outside the filter", async function () {
    const fetched = await fetchBlock(outsider, cid, AbortSignal.timeout(3_000)).then(
      () => true,
      () => false,
    );
    expect(fetched).to.equal(false);
    expect(await outsider.helia.blockstore.has(cid)).to.equal(false);
  });
});
