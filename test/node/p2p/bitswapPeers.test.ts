/**
 * Whom a member's bitswap serves (node/src/p2p/bitswapPeers.ts), over a chain read faked in
 * memory: the ring's members, the accounts of the rings the chain lets have the blocks as last
 * read, what a service adds, and nobody else; a peer not known yet is looked up once more first.
 */
import { expect } from "chai";
import { describe, it } from "mocha";
import { generateIdentity } from "../../../node/src/identity/identity.js";
import { silentLogger } from "../../../node/src/logging.js";
import { BitswapPeers } from "../../../node/src/p2p/bitswapPeers.js";

const member = generateIdentity();
const replicaMember = generateIdentity();
const outsider = generateIdentity();

function peers(served: Set<string>, minRereadMs = 2_000) {
  const readTimes: number[] = [];
  const allowList = new BitswapPeers({
    isRingMember: (address) => address === member.address,
    served: {
      members: () => {
        readTimes.push(Date.now());
        return Promise.resolve(new Set(served));
      },
    },
    minRereadMs,
    logger: silentLogger(),
  });
  return { allowList, reads: () => readTimes.length, times: () => readTimes };
}

describe("whom a member's bitswap serves", function () {
  it("serves the ring's members and, once read, the served rings' members; not an outsider", async function () {
    const { allowList } = peers(new Set([replicaMember.address]));
    await allowList.refresh();

    expect(allowList.allows(member.peerId)).to.equal(true);
    expect(allowList.allows(replicaMember.peerId)).to.equal(true);
    expect(allowList.allows(outsider.peerId)).to.equal(false);
  });

  it("serves what a service adds, until it takes it back", function () {
    const { allowList } = peers(new Set());
    const remove = allowList.add((peer) => peer.equals(outsider.peerId));

    expect(allowList.allows(outsider.peerId)).to.equal(true);
    remove();
    expect(allowList.allows(outsider.peerId)).to.equal(false);
  });

  it("looks a peer not known yet up on chain once more before it answers", async function () {
    const served = new Set<string>();
    const { allowList, reads } = peers(served, 50);
    served.add(replicaMember.address); // registered after the last read

    expect(await allowList.allowsSoon(replicaMember.peerId)).to.equal(true);
    expect(await allowList.allowsSoon(outsider.peerId)).to.equal(false);
    expect(reads()).to.equal(2);
  });

  it("reads the chain for peers not known yet at most once per minRereadMs, one read for all that wait", async function () {
    const { allowList, times } = peers(new Set(), 300);
    await allowList.allowsSoon(outsider.peerId);

    const waiting = await Promise.all([1, 2, 3].map(async () => allowList.allowsSoon(generateIdentity().peerId)));

    expect(waiting).to.deep.equal([false, false, false]);
    expect(times()).to.have.length(2);
    expect((times()[1] as number) - (times()[0] as number)).to.be.at.least(290);
  });
});
